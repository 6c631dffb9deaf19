package ledger

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxTextChars caps every text the ledger keeps, in characters, whoever
// gives it (a file's cell, a flag, an API field). No name, address line or
// list of emails needs more; a longer value is a broken export or an attack.
const MaxTextChars = 10_000

// quoteChars is how much of a value an error message quotes.
const quoteChars = 40

// Quote quotes s for an error message: at most 40 characters, with control
// characters escaped, and the length when it was cut, so that a refused
// 10 MB value never makes a 10 MB message.
func Quote(s string) string {
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

// CheckLength refuses a text over MaxTextChars.
func CheckLength(s string) error {
	if len(s) <= MaxTextChars { // bytes ≥ characters: nearly every value stops here
		return nil
	}
	if n := utf8.RuneCountInString(s); n > MaxTextChars {
		return fmt.Errorf("too long: %d characters, more than the %d allowed: %s", n, MaxTextChars, Quote(s))
	}
	return nil
}

// CleanText makes a text safe and readable, and trims it. Every control
// character goes: line breaks and tabs become one space (a name exported on
// two lines reads "Dupont SA"), the others (NUL, ESC, DEL, C1) are dropped.
// So do the invisible format characters (Unicode Cf): the bidirectional
// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that
// make a name or an invoice number display in another order than it is
// stored ("Trojan Source"), and also the plain direction marks (LRM, RLM,
// ALM), zero-width spaces, word joiners, soft hyphens and BOMs. The marks go
// too: relance writes left-to-right French and English documents, in which
// they change nothing visible, while they make "F-12" and "F-12\u200e" two
// invoices. Arabic or Hebrew letters are letters and stay, shown in their
// own direction by the reader's bidi algorithm. In free text (names,
// address lines) the zero-width joiner and non-joiner stay: they shape
// Persian and Indic words and emoji, and reorder nothing. Letters and
// accents stay as they are, composed (NFC), so that the same name typed two
// ways is one name. The second result says whether anything was removed.
func CleanText(s string, free bool) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			ascii = false
			break
		}
	}
	if ascii || (!needsClean(s, free) && norm.NFC.IsNormalString(s)) {
		return strings.TrimSpace(s), false // the fast paths of nearly every value
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
		case unicode.Is(unicode.Cc, r) || (unicode.Is(unicode.Cf, r) && !(free && (r == 0x200c || r == 0x200d))):
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

// needsClean says whether s holds a rune CleanText removes or replaces.
func needsClean(s string, free bool) bool {
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
			if !free || (r != 0x200c && r != 0x200d) {
				return true
			}
		}
	}
	return false
}

// controlChar returns the first control or invisible character of s, and
// whether there is one: where a text must be refused, not cleaned (an
// email address, which would become another address).
func controlChar(s string) (rune, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return rune(c), true
		} else if c >= 0x80 {
			ascii = false
		}
	}
	if ascii {
		return 0, false // no Cf character is ASCII
	}
	for _, r := range s {
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
			return r, true
		}
	}
	return 0, false
}

// StripAccents removes the combining marks of s ("Société" reads
// "Societe"), for matching names and headers typed with or without them. A
// text it cannot transform is given back as it is. ASCII, most of what it
// sees, is given back without the transformer's allocations.
func StripAccents(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return s
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}
