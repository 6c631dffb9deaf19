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
	r *csv.Reader
}

func newCSVSource(br *bufio.Reader, sep rune) *csvSource {
	r := csv.NewReader(br)
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
				return nil, line, &RowError{Line: line, Reason: fmt.Sprintf("invalid UTF-8 in %q (the file starts as UTF-8; save it in one encoding)", c)}
			}
		}
		return rec, line, nil
	}
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
