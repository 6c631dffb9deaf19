package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/relance/relance/internal/clock"
)

// File writes each message as an RFC 5322 file, <sanitized Message-ID>.eml,
// into a directory, for `mail.transport: file`, for previews and for
// running relance without a relay. The file is written to a temporary name
// and renamed, so a crash never leaves half a message; sending the same
// Message-ID again replaces the file instead of adding one. Safe for
// concurrent use.
type File struct {
	dir   string
	clock clock.Clock
}

// NewFile returns a File transport writing into dir, created if missing.
// Messages are dated by clk.
func NewFile(dir string, clk clock.Clock) (*File, error) {
	if dir == "" {
		return nil, fmt.Errorf("file transport: no directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("file transport: %w", err)
	}
	return &File{dir: dir, clock: clk}, nil
}

// Path returns the file a message with this Message-ID is written to.
func (f *File) Path(messageID string) string {
	return filepath.Join(f.dir, FileName(messageID))
}

// FileName maps a Message-ID to a safe file name: angle brackets dropped,
// every byte other than letters, digits, '.', '-', '_', '@' and '+' replaced
// by '_' (a leading '.' too, so no name is hidden or climbs a directory),
// and ".eml" appended. "<r1.level3@relance>" gives "r1.level3@relance.eml".
func FileName(messageID string) string {
	id := strings.TrimSuffix(strings.TrimPrefix(messageID, "<"), ">")
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '.' && i > 0, c == '-', c == '_', c == '@', c == '+':
			b.WriteByte(c)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		b.WriteByte('_')
	}
	return b.String() + ".eml"
}

// Send writes m. Errors are *Error: an invalid message is Unsendable (or
// RecipientRefused for a To that is not an address), a failed write
// Temporary.
func (f *File) Send(ctx context.Context, m Message) error {
	fail := func(err error) error {
		return &Error{Stage: StageWrite, MessageID: m.MessageID, Recipients: recipients(m), Fault: Temporary, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	data, err := Bytes(m, f.clock.Now())
	if err != nil {
		return buildError(m, err)
	}
	tmp, err := os.CreateTemp(f.dir, ".tmp-*.eml")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), f.Path(m.MessageID)); err != nil {
		return fail(err)
	}
	return nil
}

// Acquire returns a Conn that writes files: there is nothing to wait for.
func (f *File) Acquire(ctx context.Context) (Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Stage: StageWrite, Fault: Temporary, Err: err}
	}
	return fileConn{f}, nil
}

type fileConn struct{ f *File }

func (c fileConn) Send(ctx context.Context, m Message) error { return c.f.Send(ctx, m) }
func (fileConn) Release()                                    {}

// Close does nothing; it makes File a Transport.
func (f *File) Close() error { return nil }
