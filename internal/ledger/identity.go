package ledger

import (
	"errors"
	"fmt"
	"math/big"
	"net/mail"
	"regexp"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Legal identifiers are stored compact (digits and capitals, no spaces) and
// printed grouped, the way French paperwork writes them.

var (
	vatPattern     = regexp.MustCompile(`^[A-Z]{2}[0-9A-Z+*]{2,12}$`)
	frVATPattern   = regexp.MustCompile(`^FR[0-9A-Z]{2}[0-9]{9}$`)
	ibanPattern    = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$`)
	bicPattern     = regexp.MustCompile(`^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
	currencyPat    = regexp.MustCompile(`^[A-Z]{3}$`)
	localePattern  = regexp.MustCompile(`^[a-z]{2}$`)
)

// compact drops the separators people type inside identifiers and upper-cases.
func compact(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '/', '\u00a0', '\u202f', '\t':
			return -1
		}
		return r
	}, s))
}

// laPosteSIREN is La Poste's SIREN, the one number that fails the Luhn check:
// its establishments are numbered so that their SIRET digits sum to a
// multiple of 5.
const laPosteSIREN = "356000000"

// NormalizeSIREN checks a French company number (9 digits, Luhn key) and
// returns it compact; "" stays "".
func NormalizeSIREN(s string) (string, error) {
	c := compact(s)
	if c == "" {
		return "", nil
	}
	if len(c) != 9 || !digits(c) {
		return "", fmt.Errorf("%q: want 9 digits", s)
	}
	if c != laPosteSIREN && !luhn(c) {
		return "", fmt.Errorf("%q: the check digit is wrong", s)
	}
	return c, nil
}

// NormalizeSIRET checks a French establishment number (14 digits: SIREN +
// NIC, Luhn key) and returns it compact; "" stays "".
func NormalizeSIRET(s string) (string, error) {
	c := compact(s)
	if c == "" {
		return "", nil
	}
	if len(c) != 14 || !digits(c) {
		return "", fmt.Errorf("%q: want 14 digits", s)
	}
	if strings.HasPrefix(c, laPosteSIREN) {
		sum := 0
		for _, r := range c {
			sum += int(r - '0')
		}
		if sum%5 != 0 {
			return "", fmt.Errorf("%q: the check digit is wrong", s)
		}
		return c, nil
	}
	if !luhn(c) {
		return "", fmt.Errorf("%q: the check digit is wrong", s)
	}
	return c, nil
}

// NormalizeVAT checks an intra-community VAT number (country prefix and 2 to
// 12 characters; for FR the key computed from the SIREN) and returns it
// compact; "" stays "".
func NormalizeVAT(s string) (string, error) {
	c := compact(s)
	if c == "" {
		return "", nil
	}
	if !vatPattern.MatchString(c) {
		return "", fmt.Errorf("%q: want a country prefix and 2 to 12 characters, e.g. FR40303265045", s)
	}
	if strings.HasPrefix(c, "FR") {
		if !frVATPattern.MatchString(c) {
			return "", fmt.Errorf("%q: a French VAT number is FR, a 2-character key and the 9-digit SIREN", s)
		}
		if digits(c[2:4]) {
			siren, _ := new(big.Int).SetString(c[4:], 10)
			key := (12 + 3*new(big.Int).Mod(siren, big.NewInt(97)).Int64()) % 97
			if fmt.Sprintf("%02d", key) != c[2:4] {
				return "", fmt.Errorf("%q: the key does not match the SIREN (want FR%02d%s)", s, key, c[4:])
			}
		}
	}
	return c, nil
}

// NormalizeIBAN checks an IBAN (ISO 13616: country, check digits mod 97) and
// returns it compact; "" stays "".
func NormalizeIBAN(s string) (string, error) {
	c := compact(s)
	if c == "" {
		return "", nil
	}
	if !ibanPattern.MatchString(c) {
		return "", fmt.Errorf("%q: not an IBAN", s)
	}
	var num strings.Builder
	for _, r := range c[4:] + c[:4] {
		if r >= 'A' && r <= 'Z' {
			fmt.Fprintf(&num, "%d", r-'A'+10)
		} else {
			num.WriteRune(r)
		}
	}
	n, _ := new(big.Int).SetString(num.String(), 10)
	if new(big.Int).Mod(n, big.NewInt(97)).Int64() != 1 {
		return "", fmt.Errorf("%q: the check digits are wrong", s)
	}
	return c, nil
}

// NormalizeBIC checks a BIC (8 or 11 characters) and returns it compact.
func NormalizeBIC(s string) (string, error) {
	c := compact(s)
	if c == "" {
		return "", nil
	}
	if !bicPattern.MatchString(c) {
		return "", fmt.Errorf("%q: want 8 or 11 characters, e.g. BNPAFRPPXXX", s)
	}
	return c, nil
}

// NormalizeCountry checks an ISO 3166-1 alpha-2 code and returns it in
// capitals; UK, common in ERPs, is GB. "" stays "".
func NormalizeCountry(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if c == "" {
		return "", nil
	}
	if c == "UK" {
		c = "GB"
	}
	if !countryPattern.MatchString(c) {
		return "", fmt.Errorf("%q: want an ISO country code such as FR, DE or GB", s)
	}
	return c, nil
}

// NormalizeEmail checks one address with net/mail and returns the bare
// address ("Compta <a@b.fr>" gives "a@b.fr"); "" stays "".
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("%q: %w", s, err)
	}
	// A quoted local part ("a b"@c) parses, but its bare form does not:
	// it could not be read back nor sent to.
	if again, err := mail.ParseAddress(a.Address); err != nil || again.Address != a.Address {
		return "", fmt.Errorf("%q: a quoted local part is not supported", s)
	}
	return a.Address, nil
}

// ParseEmails reads a list of addresses separated by ";" or "," the way
// ERPs and people write them ("a@b.fr; Compta <c@d.fr>"), each checked
// with net/mail, and returns the bare addresses without duplicates (compared
// ignoring case). Separators inside quotes or angle brackets do not split.
func ParseEmails(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	var errs []error
	for _, part := range splitAddressList(s) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		a, err := NormalizeEmail(part)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if k := strings.ToLower(a); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return out, errors.Join(errs...)
}

// splitAddressList splits on ';' and ',' outside "quoted strings" and
// <angle brackets>.
func splitAddressList(s string) []string {
	var parts []string
	var cur strings.Builder
	quoted, angle, escaped := false, false, false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && quoted:
			escaped = true
		case r == '"' && !angle:
			quoted = !quoted
		case r == '<' && !quoted:
			angle = true
		case r == '>' && !quoted:
			angle = false
		case (r == ';' || r == ',') && !quoted && !angle:
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	return append(parts, cur.String())
}

// FormatSIREN groups a SIREN or SIRET the French way: 123 456 789 (00012).
func FormatSIREN(s string) string {
	if !digits(s) || (len(s) != 9 && len(s) != 14) {
		return s
	}
	out := s[0:3] + " " + s[3:6] + " " + s[6:9]
	if len(s) == 14 {
		out += " " + s[9:]
	}
	return out
}

// FormatIBAN groups an IBAN by four characters, as printed on a RIB.
func FormatIBAN(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CountryName is the name of an ISO country code in locale ("fr": DE is
// "Allemagne"), or the code itself when unknown.
func CountryName(code, locale string) string {
	region, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	tag, err := language.Parse(locale)
	if err != nil {
		tag = language.French
	}
	if name := display.Regions(tag).Name(region); name != "" {
		return name
	}
	return code
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// luhn reports whether a string of digits passes the Luhn check.
func luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
