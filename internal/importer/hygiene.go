package importer

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxCellChars caps every cell of an imported file, in characters. No field
// relance keeps (a name, an address line, a list of emails) needs more; a
// longer cell is a broken export or an attack, refused at its line.
const MaxCellChars = 10_000

// maxRecordBytes caps one record of a CSV file or one line of a FEC, so that
// a 100 MB line is refused after its first MiB instead of being read whole.
const maxRecordBytes = 1 << 20

// quoteChars is how much of a cell an error message quotes.
const quoteChars = 40

// quote quotes s for an error message: at most quoteChars characters, with
// control characters escaped, and the length when it was cut.
func quote(s string) string {
	if len(s) <= quoteChars {
		return fmt.Sprintf("%q", s)
	}
	n, cut := 0, len(s)
	for i := range s {
		if n == quoteChars {
			cut = i
			break
		}
		n++
	}
	if cut == len(s) {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q… (%d characters)", s[:cut], utf8.RuneCountInString(s))
}

// tooLong says why a cell over MaxCellChars is refused, or "" when it fits.
func tooLong(s string) string {
	if len(s) <= MaxCellChars { // bytes ≥ characters: most cells stop here
		return ""
	}
	if n := utf8.RuneCountInString(s); n > MaxCellChars {
		return fmt.Sprintf("a cell of %d characters, more than the %d allowed: %s", n, MaxCellChars, quote(s))
	}
	return ""
}

// clean makes a cell safe and readable. Every control character goes:
// line breaks and tabs become one space (a name exported on two lines reads
// "Dupont SA"), the others (NUL, ESC, DEL, C1) are dropped. So do the
// invisible format characters (Unicode Cf): the bidirectional embeddings,
// overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make a name or
// an invoice number display in another order than it is stored ("Trojan
// Source"), and also the plain direction marks (LRM, RLM, ALM), zero-width
// spaces, word joiners, soft hyphens and BOMs. The marks are dropped too:
// relance writes left-to-right French and English documents, in which they
// change nothing visible, while they make "F-12" and "F-12\u200e" two
// invoices. Arabic or Hebrew letters are letters and stay, shown in their
// own direction by the reader's bidi algorithm. In free text (keepJoiners)
// the zero-width joiner and non-joiner stay: they shape Persian and Indic
// words and emoji, and reorder nothing. Letters and accents stay as they
// are, composed (NFC), so that the same name typed two ways is one name.
// The second result says whether anything was removed.
func clean(s string, keepJoiners bool) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			ascii = false
			break
		}
	}
	if ascii || (!needsClean(s, keepJoiners) && norm.NFC.IsNormalString(s)) {
		return s, false // the fast paths of nearly every cell
	}
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	lastSpace, broken := false, false // broken: a line break became the last space
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			changed = true
			if !lastSpace && b.Len() > 0 {
				b.WriteByte(' ')
			}
			lastSpace, broken = true, true
		case r == ' ':
			if broken && lastSpace {
				continue // "Dupont \r\n SA" reads "Dupont SA"
			}
			b.WriteByte(' ')
			lastSpace = true
		case unicode.Is(unicode.Cc, r) || (unicode.Is(unicode.Cf, r) && !(keepJoiners && (r == 0x200c || r == 0x200d))):
			changed = true
		default:
			b.WriteRune(r)
			lastSpace, broken = false, false
		}
	}
	out := strings.TrimSpace(b.String())
	if !norm.NFC.IsNormalString(out) {
		out = norm.NFC.String(out)
	}
	return out, changed
}

// needsClean says whether s holds a rune clean removes or replaces.
func needsClean(s string, keepJoiners bool) bool {
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			return true
		case r < 0x80:
		case r < 0xa0 || r == 0xad: // C1 controls, soft hyphen
			return true
		case r < 0x100:
		case r == 0x2028 || r == 0x2029:
			return true
		case unicode.Is(unicode.Cf, r):
			if !keepJoiners || (r != 0x200c && r != 0x200d) {
				return true
			}
		}
	}
	return false
}

// cleanTally counts the cells clean changed, for one warning per file
// instead of one per cell.
type cleanTally struct {
	file  string
	n     int
	first string // file:line: column of the first
}

func (t *cleanTally) add(line int, column string) {
	if t.n == 0 {
		t.first = fmt.Sprintf("%s:%d: %s", t.file, line, column)
	}
	t.n++
}

// warning is the file's warning about removed characters, "" when none.
func (t *cleanTally) warning() string {
	if t.n == 0 {
		return ""
	}
	return fmt.Sprintf("%s: control or invisible characters removed from %d cell(s), the first at %s", t.file, t.n, t.first)
}
