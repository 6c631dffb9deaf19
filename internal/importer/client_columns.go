package importer

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/language"
)

// freeText says whether a field holds words people wrote (names, address
// lines) rather than an identifier or a value: clean keeps the zero-width
// joiners there.
func (f field) freeText() bool {
	switch f {
	case fieldClientName, fieldAddress1, fieldAddress2, fieldCity, fieldContact, fieldSegment, fieldReference:
		return true
	}
	return false
}

// parseClient reads what a row says about its client. An empty cell, like a
// missing column, leaves the field nil: the client keeps what it has.
func (p *rowParser) parseClient(d *clientDetails) {
	c, bad, text := p.c, p.bad, p.opt
	d.address1, d.address2 = text(fieldAddress1), text(fieldAddress2)
	d.postcode, d.city = text(fieldPostcode), text(fieldCity)
	d.contactName, d.segment, d.profile = text(fieldContact), text(fieldSegment), text(fieldProfile)
	d.emails, d.cc = p.emails(fieldEmail), p.emails(fieldCC)
	if s := c(fieldLocale); s != "" {
		if _, err := language.Parse(s); err != nil || len(s) > 35 {
			bad(fieldLocale, "unknown locale %s: want a language code such as fr or en", quote(s))
		}
		s = strings.ToLower(s)
		d.locale = &s
	}
	if s := c(fieldCountry); s != "" {
		code, err := parseCountry(s)
		if err != nil {
			bad(fieldCountry, "%v", err)
		}
		d.country = &code
	}
	if s := c(fieldPhone); s != "" {
		if err := checkPhone(s); err != nil {
			bad(fieldPhone, "%v", err)
		}
		d.phone = &s
	}
	p.parseLegalIDs(d)
	if s := c(fieldCreditLimit); s != "" {
		v, err := p.amount(s)
		switch {
		case err != nil:
			bad(fieldCreditLimit, "%v", err)
		case v < 0:
			bad(fieldCreditLimit, "a credit limit cannot be negative")
		}
		d.creditLimit = &v
	}
}

// emails reads a list of addresses, nil when the column is missing or the
// cell empty. The cell is parsed raw, not cleaned: a control character in
// an address is refused, not removed.
func (p *rowParser) emails(f field) []string {
	if !p.cols.has(f) {
		return nil
	}
	list, err := parseEmails(p.cols.cell(p.rec, f))
	if err != nil {
		p.bad(f, "%v", err)
		return nil
	}
	if len(list) == 0 {
		return nil
	}
	return list
}

// parseLegalIDs reads SIREN, SIRET and VAT number. A SIRET alone gives the
// SIREN it begins with.
func (p *rowParser) parseLegalIDs(d *clientDetails) {
	c, bad := p.c, p.bad
	if s := c(fieldSIREN); s != "" {
		v, err := checkSIRENorSIRET(s, 9, "SIREN")
		if err != nil {
			bad(fieldSIREN, "%v", err)
		}
		d.siren = &v
	}
	if s := c(fieldSIRET); s != "" {
		v, err := checkSIRENorSIRET(s, 14, "SIRET")
		switch {
		case err != nil:
			bad(fieldSIRET, "%v", err)
		case d.siren == nil:
			siren := v[:9]
			d.siren = &siren
		case *d.siren != v[:9]:
			bad(fieldSIRET, "SIRET %s is not an establishment of SIREN %s", v, *d.siren)
		}
		d.siret = &v
	}
	if s := c(fieldVAT); s != "" {
		v, err := checkVATNumber(s)
		if err != nil {
			bad(fieldVAT, "%v", err)
		}
		d.vatNumber = &v
	}
}

// countryNames are the country names ERPs write instead of a code, for the
// countries relance's users bill most.
var countryNames = map[string]string{
	"france": "FR", "allemagne": "DE", "germany": "DE", "deutschland": "DE",
	"royaumeuni": "GB", "unitedkingdom": "GB", "uk": "GB", "angleterre": "GB", "greatbritain": "GB",
	"belgique": "BE", "belgium": "BE", "espagne": "ES", "spain": "ES", "italie": "IT", "italy": "IT",
	"paysbas": "NL", "netherlands": "NL", "suisse": "CH", "switzerland": "CH", "luxembourg": "LU",
	"portugal": "PT", "irlande": "IE", "ireland": "IE", "autriche": "AT", "austria": "AT",
	"monaco": "MC", "etatsunis": "US", "unitedstates": "US", "usa": "US",
}

// parseCountry reads an ISO 3166-1 alpha-2 code (FR, DE, GB…) or one of the
// common names in countryNames.
func parseCountry(s string) (string, error) {
	if code, ok := countryNames[headerKey(s)]; ok {
		return code, nil
	}
	up := strings.ToUpper(s)
	if len(up) == 2 && up[0] >= 'A' && up[0] <= 'Z' && up[1] >= 'A' && up[1] <= 'Z' {
		if r, err := language.ParseRegion(up); err == nil && r.IsCountry() {
			return up, nil
		}
	}
	return "", fmt.Errorf("unknown country %s: want an ISO 3166 code such as FR, DE or GB", quote(s))
}

// checkPhone accepts what people write for a phone number, but not a cell
// that cannot be one (an email address, a word, a date).
func checkPhone(s string) error {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +().-/", r), r == '\u00a0':
		case r == 'x' || r == 'X': // an extension: "01 23 45 67 89 x12"
		default:
			return fmt.Errorf("invalid phone number %s: want digits, spaces and + ( ) . - /", quote(s))
		}
	}
	if digits < 3 || digits > 20 {
		return fmt.Errorf("invalid phone number %s: want 3 to 20 digits", quote(s))
	}
	return nil
}

// digitsOnly drops the spaces, dots and hyphens people put in identifiers.
func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '-' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, s)
}

// checkSIRENorSIRET checks a SIREN (9 digits) or SIRET (14 digits) and its
// Luhn key; La Poste's establishments (SIREN 356000000) use their own key.
func checkSIRENorSIRET(s string, n int, what string) (string, error) {
	v := digitsOnly(s)
	if len(v) != n || strings.Trim(v, "0123456789") != "" {
		return v, fmt.Errorf("invalid %s %s: want %d digits", what, quote(s), n)
	}
	if n == 14 && strings.HasPrefix(v, "356000000") {
		sum := 0
		for _, d := range v {
			sum += int(d - '0')
		}
		if sum%5 == 0 {
			return v, nil
		}
	} else if luhn(v) {
		return v, nil
	}
	return v, fmt.Errorf("invalid %s %s: its check digit is wrong (a typing error?)", what, quote(s))
}

func luhn(digits string) bool {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// checkVATNumber checks an EU VAT number (or a UK one): a country prefix
// and 2 to 13 letters or digits; for FR, the key that ties it to its SIREN.
func checkVATNumber(s string) (string, error) {
	v := strings.ToUpper(digitsOnly(s))
	valid := len(v) >= 4 && len(v) <= 15 && v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z' &&
		strings.Trim(v[2:], "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+*") == ""
	if !valid {
		hint := ""
		if _, ok := plainAmount(strings.ReplaceAll(s, " ", "")); ok {
			// French exports often call the VAT amount "TVA".
			hint = " (for a column of VAT amounts, name it montant_tva)"
		}
		return v, fmt.Errorf("invalid VAT number %s: want a country code and digits such as FR40303265045%s", quote(s), hint)
	}
	if strings.HasPrefix(v, "FR") && len(v) == 13 && strings.Trim(v[2:], "0123456789") == "" {
		siren, _ := strconv.Atoi(v[4:])
		key, _ := strconv.Atoi(v[2:4])
		if key != (12+3*(siren%97))%97 {
			return v, fmt.Errorf("invalid VAT number %s: its key does not match SIREN %s", quote(s), v[4:])
		}
	}
	return v, nil
}
