package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/relance/relance/internal/ledger"
)

// sniffSize is how much of a text file is examined to choose its encoding
// and, from its first line, its separator.
const sniffSize = 64 << 10

// decodeText returns a reader of r as UTF-8. A UTF-8 BOM is dropped; a start
// that is not valid UTF-8 means the file is Windows-1252, the encoding of
// Excel's "CSV (séparateur: point-virgule)" on French Windows. The second
// result names the encoding for messages.
func decodeText(r io.Reader) (*bufio.Reader, string) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, _ := br.Peek(sniffSize)
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
		return br, "utf-8"
	}
	if validUTF8Prefix(head) {
		return br, "utf-8"
	}
	return bufio.NewReaderSize(charmap.Windows1252.NewDecoder().Reader(br), sniffSize), "windows-1252"
}

// validUTF8Prefix is utf8.Valid tolerating a rune cut by the sniff window.
func validUTF8Prefix(b []byte) bool {
	for cut := 0; cut < utf8.UTFMax && len(b) > 0; cut++ {
		if utf8.Valid(b) {
			return true
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// firstLine peeks at the first line of br without consuming it.
func firstLine(br *bufio.Reader) string {
	head, _ := br.Peek(sniffSize)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	return string(bytes.TrimRight(head, "\r"))
}

// sniffSeparator picks the separator of a header line among ';', ',', tab
// and '|' (counting outside quotes): the most frequent wins, ';' on a tie,
// since French exports use it because ',' is their decimal separator.
func sniffSeparator(header string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range header {
		switch r {
		case '"':
			quoted = !quoted
		case ';', ',', '\t', '|':
			if !quoted {
				counts[r]++
			}
		}
	}
	best, n := ';', 0
	for _, r := range []rune{';', '\t', ',', '|'} {
		if counts[r] > n {
			best, n = r, counts[r]
		}
	}
	return best
}

// csvSource streams the records of a delimited text file.
type csvSource struct {
	r      *csv.Reader
	header []string // the first record, to name a cell in errors
}

func newCSVSource(br *bufio.Reader, sep rune) *csvSource {
	r := csv.NewReader(&recordGuard{r: br, sep: byte(sep), line: 1, start: 1})
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	r.LazyQuotes = true
	return &csvSource{r: r}
}

// next returns the next record and its line. A malformed record comes back
// as a *RowError (the source can go on); io.EOF ends the file.
func (s *csvSource) next() ([]string, int, error) {
	for {
		rec, err := s.r.Read()
		if err != nil {
			var pe *csv.ParseError
			var big *tooLargeError
			if errors.As(err, &big) {
				if big.column >= 0 && big.column < len(s.header) {
					return nil, big.line, fmt.Errorf("%s: %w", headerName(s.header[big.column]), err)
				}
				return nil, big.line, err
			}
			if errors.As(err, &pe) {
				return nil, pe.StartLine, &RowError{Line: pe.StartLine, Reason: pe.Err.Error()}
			}
			return nil, 0, err
		}
		line, _ := s.r.FieldPos(0)
		if blank(rec) {
			continue
		}
		for _, c := range rec {
			if !utf8.ValidString(c) {
				return nil, line, &RowError{Line: line, Reason: fmt.Sprintf("invalid UTF-8 in %s (the file starts as UTF-8; save it in one encoding)", ledger.Quote(c))}
			}
		}
		if s.header == nil {
			s.header = append([]string{}, rec...)
		}
		return rec, line, nil
	}
}

// longHeader is the length past which a header is quoted, and cut, in
// messages.
const longHeader = 40

// headerName is a header cell as messages show it: cleaned, and quoted
// when long.
func headerName(h string) string {
	name, _ := ledger.CleanText(h, true)
	if len(name) > longHeader || name == "" {
		return ledger.Quote(name)
	}
	return name
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// recordGuard refuses a CSV cell longer than maxCellBytes, or a record
// longer than maxRecordBytes, before encoding/csv has read it whole:
// csv.Reader has no limit of its own, and a 100 MB cell would otherwise be
// held in memory, twice. It follows the quoting as csv.Reader does with
// LazyQuotes (a quote opens a quoted field only at the start of a field;
// inside one, a doubled quote is a quote and a quote followed by anything
// but a separator or a line end is kept), so that a quoted cell spanning
// several lines counts as one cell of one record.
type recordGuard struct {
	r      io.Reader
	sep    byte
	state  guardState
	size   int // bytes of the current record
	field  int // bytes of the current field
	index  int // the current field's index in its record
	line   int // the line being read
	start  int // the line the current record started on
	tooBig *tooLargeError
}

// maxCellBytes is the most bytes MaxCellChars characters take in UTF-8: a
// longer cell is refused by the guard, a shorter one that still has too
// many characters by the row parser (fits).
const maxCellBytes = 4 * MaxCellChars

type guardState uint8

const (
	fieldStart guardState = iota
	unquoted
	quoted
	quoteInQuoted // a quote inside a quoted field: its end, or the first of two
)

// tooLargeError is the error of a cell or a record over its limit. Column
// is the index of the cell, -1 for a whole record.
type tooLargeError struct {
	line, column int
}

func (e *tooLargeError) Error() string {
	if e.column < 0 {
		return fmt.Sprintf("a line of more than %d MiB: refused (the limit is %d characters a cell)", maxRecordBytes>>20, MaxCellChars)
	}
	return fmt.Sprintf("a cell of more than %d characters: refused", MaxCellChars)
}

func (g *recordGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.size += n
	g.scan(p[:n])
	if g.tooBig == nil && g.size > maxRecordBytes {
		g.tooBig = &tooLargeError{line: g.start, column: -1}
	}
	if g.tooBig != nil {
		return 0, g.tooBig
	}
	return n, err
}

// scan follows the quoting over b. The inner loops skip the bytes of a
// field that cannot change the state, which is nearly all of them.
func (g *recordGuard) scan(b []byte) {
	sep := g.sep
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch g.state {
		case unquoted, quoted:
			stop := sep // the bytes that end a run: sep or '"', and '\n'
			if g.state == quoted {
				stop = '"'
			}
			j := i
			for c != stop && c != '\n' {
				if j++; j == len(b) {
					break
				}
				c = b[j]
			}
			if g.field += j - i; g.field > maxCellBytes && g.tooBig == nil {
				g.tooBig = &tooLargeError{line: g.start, column: g.index}
			}
			if i = j; i == len(b) {
				return
			}
			switch {
			case c == '"':
				g.state = quoteInQuoted
			case c == sep:
				g.nextField()
			case g.state == quoted:
				g.line++ // a line break inside a quoted cell: same record
				g.field++
			default:
				g.endRecord(len(b) - i - 1)
			}
		case fieldStart:
			switch c {
			case '"':
				g.state = quoted
			case sep:
				g.nextField()
			case '\n':
				g.endRecord(len(b) - i - 1)
			default:
				g.state = unquoted
				g.field++
			}
		case quoteInQuoted:
			switch {
			case c == '"':
				g.state = quoted
				g.field++
			case c == '\r':
			case c == '\n':
				g.endRecord(len(b) - i - 1)
			case c == sep:
				g.nextField()
			default:
				g.state = quoted
				g.field++
			}
		}
	}
}

func (g *recordGuard) nextField() {
	g.state, g.field = fieldStart, 0
	g.index++
}

// endRecord starts a new record after a line end, rest bytes before the
// end of the chunk being scanned.
func (g *recordGuard) endRecord(rest int) {
	g.line++
	g.state, g.size, g.field, g.index, g.start = fieldStart, rest, 0, 0, g.line
}
