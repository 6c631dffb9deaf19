package bodacc

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxRecord caps one record (a CSV row, a JSON record) in bytes: the
// longest real notices are a few kilobytes; beyond it the file is refused
// rather than held in memory.
const MaxRecord = 1 << 20

// ErrFormat is wrapped by the errors of a file that is not a BODACC export
// at all: neither CSV with the fields it needs, nor JSON records.
var ErrFormat = errors.New("not a BODACC export")

// Result is what Parse read.
type Result struct {
	Records  int       // records read, of every family
	Notices  []Notice  // the collective procedures' notices, in file order (Kind "" for those opening nothing)
	Problems []Problem // collective procedures' notices that could not be read, skipped

	fields map[string]string // JSON: the field each name seen so far stands for
}

// Parse reads a BODACC export, CSV or JSON, detected from its first
// non-blank byte. A file that is neither, or whose CSV lacks the fields
// (registre, jugement or familleavis, dateparution), is an error wrapping
// ErrFormat; a notice it cannot read is a Problem and the others are kept.
func Parse(r io.Reader) (Result, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := firstByte(br)
	if err != nil {
		return Result{}, err
	}
	if first == '[' || first == '{' {
		return parseJSON(br)
	}
	return parseCSV(br)
}

// firstByte skips a BOM and white space and returns the next byte, unread.
func firstByte(br *bufio.Reader) (byte, error) {
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	for {
		b, err := br.Peek(1)
		if err == io.EOF {
			return 0, fmt.Errorf("%w: the file is empty", ErrFormat)
		}
		if err != nil {
			return 0, err
		}
		if !strings.ContainsRune(" \t\r\n", rune(b[0])) {
			return b[0], nil
		}
		_, _ = br.Discard(1)
	}
}

// capped counts the bytes read since the last reset and fails past max:
// the parser resets it at each record, so no record holds more memory.
type capped struct {
	r   io.Reader
	n   int
	max int
}

var errTooLong = fmt.Errorf("a record of more than %d bytes", MaxRecord)

func (c *capped) Read(p []byte) (int, error) {
	if c.n >= c.max {
		return 0, errTooLong
	}
	if len(p) > c.max-c.n {
		p = p[:c.max-c.n]
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// fieldNames maps the names of the export's fields, as downloaded with
// field names or with labels, to what the parser reads. Names are compared
// folded (case, accents), without spaces, '_' or '-'.
var fieldNames = map[string]string{
	"id": "id", "reference": "id",
	"registre": "registre", "siren": "registre",
	"familleavis": "familleavis", "familleavislib": "familleavis_lib", "familledelavis": "familleavis_lib",
	"jugement":     "jugement",
	"dateparution": "dateparution", "datedeparution": "dateparution",
	"commercant": "commercant", "ville": "ville",
}

func key(name string) string {
	return strings.NewReplacer(" ", "", "_", "", "-", "", "'", "").Replace(fold(strings.TrimSpace(name)))
}

// set puts the value of a field (a value of fieldNames) into r.
func (r *record) set(field, v string) {
	switch field {
	case "id":
		r.id = v
	case "registre":
		r.registre = v
	case "familleavis":
		r.familyCode = v
	case "familleavis_lib":
		r.family = v
	case "jugement":
		r.jugement = v
	case "dateparution":
		r.published = v
	case "commercant":
		r.debtor = v
	case "ville":
		r.city = v
	}
}

func parseCSV(br *bufio.Reader) (Result, error) {
	var res Result
	c := &capped{r: br, max: MaxRecord}
	cr := csv.NewReader(c)
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return res, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		if f := fieldNames[key(h)]; f != "" {
			if _, dup := cols[f]; !dup {
				cols[f] = i
			}
		}
	}
	_, hasFamily := cols["familleavis"]
	_, hasFamilyLib := cols["familleavis_lib"]
	for _, need := range []string{"registre", "dateparution"} {
		if _, ok := cols[need]; !ok {
			return res, fmt.Errorf("%w: no %s column (the header reads %s)", ErrFormat, need, quote(strings.Join(header, ";")))
		}
	}
	if _, ok := cols["jugement"]; !ok && !hasFamily && !hasFamilyLib {
		return res, fmt.Errorf("%w: no jugement nor familleavis column", ErrFormat)
	}
	for {
		c.n = 0
		row, err := cr.Read()
		if err == io.EOF {
			return res, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			if errors.Is(err, errTooLong) {
				return res, fmt.Errorf("line %d: %w", line, err)
			}
			return res, fmt.Errorf("%w: line %d: %v", ErrFormat, line, err)
		}
		res.Records++
		r := record{line: line}
		for f, i := range cols {
			if i < len(row) {
				r.set(f, row[i])
			}
		}
		res.add(r)
	}
}

// add checks r and keeps it when it is a collective procedure's notice.
func (res *Result) add(r record) {
	n, ok, p := r.notice()
	if p != nil {
		res.Problems = append(res.Problems, *p)
		if p.Field != "jugement.date" {
			return // the date alone falls back on the publication: the notice is kept
		}
	}
	if ok {
		res.Notices = append(res.Notices, n)
	}
}
