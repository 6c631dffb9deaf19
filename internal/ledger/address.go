package ledger

import "strings"

// Address is a postal address. The country is the party's (Entity.Country,
// Client.Country), which also picks its calendar and rules.
type Address struct {
	Line1    string // street, building
	Line2    string // complement: floor, lieu-dit, BP
	Postcode string
	City     string
}

// IsZero reports whether no part of the address is known.
func (a Address) IsZero() bool { return a == Address{} }

// Lines is the address as printed on an envelope: the street lines, then
// "postcode city", then, for mail abroad (country differs from the sender's
// country from), the country's name in capitals in the sender's locale, as
// the Universal Postal Union asks.
func (a Address) Lines(country, from, locale string) []string {
	var out []string
	for _, l := range []string{a.Line1, a.Line2, strings.TrimSpace(a.Postcode + " " + a.City)} {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) > 0 && country != "" && from != "" && !strings.EqualFold(country, from) {
		out = append(out, strings.ToUpper(CountryName(country, locale)))
	}
	return out
}

// Unpostable names the parts a letter cannot go without that a is missing
// (address_line1, city), by the ledger's field names; none for an address
// a registered letter can be posted to.
func (a Address) Unpostable() []string {
	var out []string
	if strings.TrimSpace(a.Line1) == "" {
		out = append(out, "address_line1")
	}
	if strings.TrimSpace(a.City) == "" {
		out = append(out, "city")
	}
	return out
}
