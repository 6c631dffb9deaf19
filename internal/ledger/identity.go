package ledger

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/unicode/norm"
)

// Legal identifiers are stored compact (digits and capitals, no spaces) and
// printed grouped, the way French paperwork writes them. Each Normalize
// function is the one check of its value for every way in (files, the CLI,
// the API), so a value refused in a file is refused everywhere with the same
// words; callers say which field or column it was.

var (
	vatPattern   = regexp.MustCompile(`^[A-Z]{2}[0-9A-Z+*]{2,13}$`)
	frVATPattern = regexp.MustCompile(`^FR[0-9A-Z]{2}[0-9]{9}$`)
	ibanPattern  = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$`)
	bicPattern   = regexp.MustCompile(`^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
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
		return "", fmt.Errorf("invalid SIREN %s: want 9 digits", Quote(s))
	}
	if c != laPosteSIREN && !luhn(c) {
		return "", errCheckDigit("SIREN", s)
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
		return "", fmt.Errorf("invalid SIRET %s: want 14 digits", Quote(s))
	}
	if strings.HasPrefix(c, laPosteSIREN) {
		sum := 0
		for _, r := range c {
			sum += int(r - '0')
		}
		if sum%5 != 0 {
			return "", errCheckDigit("SIRET", s)
		}
		return c, nil
	}
	if !luhn(c) {
		return "", errCheckDigit("SIRET", s)
	}
	return c, nil
}

func errCheckDigit(what, s string) error {
	return fmt.Errorf("invalid %s %s: its check digit is wrong (a typing error?)", what, Quote(s))
}

// CheckEstablishment refuses a SIRET (compact) that is not an establishment
// of the SIREN (compact) given with it.
func CheckEstablishment(siren, siret string) error {
	if siren != "" && siret != "" && !strings.HasPrefix(siret, siren) {
		return fmt.Errorf("SIRET %s is not an establishment of SIREN %s", FormatSIREN(siret), FormatSIREN(siren))
	}
	return nil
}

// NormalizeVAT checks an intra-community VAT number (or a UK one): a country
// prefix and 2 to 13 letters or digits; for FR, the key computed from the
// SIREN. It returns it compact; "" stays "".
func NormalizeVAT(s string) (string, error) {
	c := compact(s)
	if c == "" {
		return "", nil
	}
	if !vatPattern.MatchString(c) {
		return "", fmt.Errorf("invalid VAT number %s: want a country code and digits such as FR40303265045", Quote(s))
	}
	if strings.HasPrefix(c, "FR") {
		if !frVATPattern.MatchString(c) {
			return "", fmt.Errorf("invalid VAT number %s: a French VAT number is FR, a 2-character key and the 9-digit SIREN", Quote(s))
		}
		if digits(c[2:4]) {
			siren, _ := strconv.Atoi(c[4:])
			if key := (12 + 3*(siren%97)) % 97; fmt.Sprintf("%02d", key) != c[2:4] {
				return "", fmt.Errorf("invalid VAT number %s: its key does not match SIREN %s (want FR%02d%s)", Quote(s), c[4:], key, c[4:])
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
		return "", fmt.Errorf("invalid IBAN %s", Quote(s))
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
		return "", fmt.Errorf("invalid IBAN %s: its check digits are wrong", Quote(s))
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
		return "", fmt.Errorf("invalid BIC %s: want 8 or 11 characters, e.g. BNPAFRPPXXX", Quote(s))
	}
	return c, nil
}

// countryNames are the country names ERPs write instead of a code, for the
// countries relance's users bill most, folded by foldName.
var countryNames = map[string]string{
	"france": "FR", "allemagne": "DE", "germany": "DE", "deutschland": "DE",
	"royaumeuni": "GB", "unitedkingdom": "GB", "uk": "GB", "angleterre": "GB", "greatbritain": "GB",
	"belgique": "BE", "belgium": "BE", "espagne": "ES", "spain": "ES", "italie": "IT", "italy": "IT",
	"paysbas": "NL", "netherlands": "NL", "suisse": "CH", "switzerland": "CH", "luxembourg": "LU",
	"portugal": "PT", "irlande": "IE", "ireland": "IE", "autriche": "AT", "austria": "AT",
	"monaco": "MC", "etatsunis": "US", "unitedstates": "US", "usa": "US",
}

// NormalizeCountry reads an ISO 3166-1 alpha-2 code (FR, DE, GB; UK, common
// in ERPs, is GB) or one of the common names in countryNames ("Allemagne",
// "Royaume-Uni") and returns the code; "" stays "".
func NormalizeCountry(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if code, ok := countryNames[foldName(s)]; ok {
		return code, nil
	}
	up := strings.ToUpper(s)
	if len(up) == 2 && up[0] >= 'A' && up[0] <= 'Z' && up[1] >= 'A' && up[1] <= 'Z' {
		if r, err := language.ParseRegion(up); err == nil && r.IsCountry() {
			return up, nil
		}
	}
	return "", fmt.Errorf("unknown country %s: want an ISO 3166 code such as FR, DE or GB", Quote(s))
}

// foldName folds a name for matching: lower case, letters only, accents
// dropped ("Royaume-Uni" and "royaume uni" meet).
func foldName(s string) string {
	if len(s) > 64 {
		return ""
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NormalizeCurrency checks an ISO 4217 code and returns it in capitals; ""
// stays "".
func NormalizeCurrency(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if c != "" && !isCurrencyCode(c) {
		return "", fmt.Errorf("invalid currency %s: want an ISO 4217 code such as EUR", Quote(s))
	}
	return c, nil
}

// isCurrencyCode says c is three letters A to Z, as ^[A-Z]{3}$ does, without
// a regexp: an import checks the currency of each of its million rows.
func isCurrencyCode(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// NormalizeLocale reads a language tag ("fr", "EN", "fr_FR", "de-AT") and
// returns its two-letter language, the part templates are chosen by; ""
// stays "".
func NormalizeLocale(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var base language.Base
	var err error
	switch {
	case len(s) == 2: // "fr", "EN": nearly every value, at a tenth of the cost of Parse
		base, err = language.ParseBase(s)
	case len(s) <= 35:
		var tag language.Tag
		if tag, err = language.Parse(strings.ReplaceAll(s, "_", "-")); err == nil {
			base, _ = tag.Base()
		}
	default:
		err = errors.New("too long")
	}
	code := base.String()
	if err != nil || len(code) != 2 {
		return "", fmt.Errorf("unknown locale %s: want a language code such as fr or en", Quote(s))
	}
	return code, nil
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
