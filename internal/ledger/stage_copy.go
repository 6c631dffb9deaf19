package ledger

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/relance/relance/internal/money"
)

// The staging COPY of an invoice batch writes COPY's binary format itself,
// from the typed rows, instead of through pgx's CopyFrom: pgx boxes every
// value of a row into an interface and encodes it through its type map
// (Map.Encode, a plan lookup per value), which with the boxing's garbage
// was a third of the client's CPU in a first import and kept the staging
// COPY bound by the client (bench/analysis.md, perf4-first and
// perf5-first). The stage's columns are fixed, so each is written by the
// function of its type, byte for byte what pgx writes for the same value
// (FuzzStageRowIsPgxEncoding), and streamed through pgconn's CopyFrom,
// which reads it as an io.Reader on its own goroutine and sends it as it
// comes: memory is one send buffer, whatever the batch.
//
// The format (PostgreSQL's "COPY … FROM STDIN (FORMAT binary)"): a
// signature and two zero int32 (flags, header extension), then per row its
// number of fields as an int16 and each field as an int32 length (-1 for
// NULL) followed by the value in its type's binary send format, all
// big-endian; an int16 -1 ends the data.

// copySignature opens a binary COPY: the signature, no flags, no header
// extension.
const copySignature = "PGCOPY\n\377\r\n\000\000\000\000\000\000\000\000\000"

// copyBufSize is what the reader encodes ahead of a send: pgconn sends in
// messages of up to 64 KB.
const copyBufSize = 64 << 10

// oidText is the type OID of text, the element of the stage's text[]
// columns.
const oidText = 25

// dateEpoch is the day PostgreSQL counts dates from.
var dateEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// A copyRow appends the fields of one row in COPY's binary format.
type copyRow []byte

func (b copyRow) fields(n int16) copyRow { return binary.BigEndian.AppendUint16(b, uint16(n)) }

func (b copyRow) null() copyRow { return binary.BigEndian.AppendUint32(b, 0xffffffff) }

func (b copyRow) int4(v int32) copyRow {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(b, 4), uint32(v))
}

func (b copyRow) int8(v int64) copyRow {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(b, 8), uint64(v))
}

// amount writes an optional amount as a bigint of minor units.
func (b copyRow) amount(p *money.Amount) copyRow {
	if p == nil {
		return b.null()
	}
	return b.int8(int64(*p))
}

// text writes a text value as its bytes: the server checks them against
// its encoding, as it does pgx's.
func (b copyRow) text(s string) copyRow {
	return append(binary.BigEndian.AppendUint32(b, uint32(len(s))), s...)
}

func (b copyRow) optText(p *string) copyRow {
	if p == nil {
		return b.null()
	}
	return b.text(*p)
}

// date writes the calendar day of t (in t's location) as days since
// 2000-01-01, as pgx's date codec computes it.
func (b copyRow) date(t time.Time) copyRow {
	days := (time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() - dateEpoch) / 86400
	return b.int4(int32(days))
}

func (b copyRow) uuid(u [16]byte) copyRow {
	return append(binary.BigEndian.AppendUint32(b, 16), u[:]...)
}

// textArray writes an optional list as a one-dimensional text[]: NULL for
// no list and for a nil one, as pgx writes a nil slice; an empty one is an
// array of one dimension of length 0 (the server stores '{}').
func (b copyRow) textArray(p *[]string) copyRow {
	if p == nil || *p == nil {
		return b.null()
	}
	at := len(b)
	b = binary.BigEndian.AppendUint32(b, 0) // the length, set below
	b = binary.BigEndian.AppendUint32(b, 1) // dimensions
	b = binary.BigEndian.AppendUint32(b, 0) // no NULL element
	b = binary.BigEndian.AppendUint32(b, oidText)
	b = binary.BigEndian.AppendUint32(b, uint32(len(*p)))
	b = binary.BigEndian.AppendUint32(b, 1) // lower bound
	for _, s := range *p {
		b = b.text(s)
	}
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}

// copyReader is the binary COPY of the rows next appends (false after the
// last, or to end this COPY early), encoded as pgconn reads it.
type copyReader struct {
	next  func(copyRow) (copyRow, bool)
	buf   []byte
	off   int
	begun bool
	ended bool
}

func (r *copyReader) Read(p []byte) (int, error) {
	if r.off > 0 { // what the last read left, less than a row
		r.buf = r.buf[:copy(r.buf, r.buf[r.off:])]
		r.off = 0
	}
	if !r.begun {
		r.buf, r.begun = append(r.buf, copySignature...), true
	}
	for !r.ended && len(r.buf) < len(p) {
		var more bool
		if r.buf, more = r.next(r.buf); !more {
			r.buf, r.ended = binary.BigEndian.AppendUint16(r.buf, 0xffff), true
		}
	}
	n := copy(p, r.buf)
	r.off = n
	if n == 0 && r.ended {
		return 0, io.EOF
	}
	return n, nil
}

// copyBinary runs copySQL (a COPY … FROM STDIN (FORMAT binary) of st's
// transaction) with the rows next appends, and returns how many rows the
// server took.
func (st *stage) copyBinary(ctx context.Context, table, copySQL string, next func(copyRow) (copyRow, bool)) (int, error) {
	r := &copyReader{next: next, buf: make([]byte, 0, copyBufSize+copyBufSize/4)}
	tag, err := st.tx.Conn().PgConn().CopyFrom(ctx, r, copySQL)
	if err != nil {
		return int(tag.RowsAffected()), fmt.Errorf("ledger: stage %s: copy into %s: %w", st.kind, table, err)
	}
	return int(tag.RowsAffected()), nil
}
