package ledger

import (
	"errors"
	"fmt"
	"strings"

	"github.com/relance/relance/internal/money"
)

// ClientPatch is what a file row or an API body says about a client. A field
// that is not nil is said and replaces what the ledger has; a nil field
// leaves it, so that a file without a column, or with an empty cell, erases
// nothing.
//
// Normalize is the one check of a client's fields: SetClient runs it over
// every field of the client (Client.normalize), an import over each row, so
// a value is refused with the same words whichever way it comes in.
type ClientPatch struct {
	Name, Country                *string
	Line1, Line2, Postcode, City *string
	Contact, Phone               *string
	// Emails and CC are lists of addresses; each item may itself hold
	// several, separated by ';' or ',' ("a@x.fr; Compta <b@x.fr>").
	Emails, CC               *[]string
	SIREN, SIRET, VAT        *string
	CreditLimit              *money.Amount
	Segment, Profile, Locale *string
}

// Normalize checks every field said and puts it in its stored form: texts
// cleaned of control and invisible characters and capped at MaxTextChars,
// identifiers compact, addresses bare, a SIRET giving its SIREN when none is
// said. It returns an *InvalidError naming each refused field (the names of
// Client's event detail: name, country, address_line1, emails, siren…).
func (p *ClientPatch) Normalize() error {
	var errs fieldErrors
	if errs.text("name", p.Name, true) && *p.Name == "" {
		errs.add("name", errors.New("required"))
	}
	errs.text("address_line1", p.Line1, true)
	errs.text("address_line2", p.Line2, true)
	errs.text("postcode", p.Postcode, false)
	errs.text("city", p.City, true)
	errs.text("contact", p.Contact, true)
	errs.text("segment", p.Segment, true)
	errs.text("profile", p.Profile, false)
	errs.normalize("country", p.Country, NormalizeCountry)
	errs.normalize("phone", p.Phone, NormalizePhone)
	errs.normalize("locale", p.Locale, NormalizeLocale)
	errs.normalize("vat", p.VAT, NormalizeVAT)
	if errs.normalize("siren", p.SIREN, NormalizeSIREN) && errs.normalize("siret", p.SIRET, NormalizeSIRET) {
		p.establishment(&errs)
	}
	for _, l := range []struct {
		field string
		list  *[]string
	}{{"emails", p.Emails}, {"cc", p.CC}} {
		if l.list == nil {
			continue
		}
		parsed, err := ParseEmails(strings.Join(*l.list, ","))
		if err != nil {
			errs.add(l.field, err)
			continue
		}
		*l.list = parsed
	}
	if p.CreditLimit != nil && *p.CreditLimit < 0 {
		errs.add("credit_limit", fmt.Errorf("a credit limit cannot be negative (%s)", money.FormatPlain(*p.CreditLimit)))
	}
	return errs.err()
}

// establishment ties SIREN and SIRET: a SIRET must be an establishment of
// the SIREN given with it, and a SIRET alone says the SIREN.
func (p *ClientPatch) establishment(errs *fieldErrors) {
	if p.SIRET == nil || *p.SIRET == "" {
		return
	}
	if p.SIREN == nil || *p.SIREN == "" {
		siren := (*p.SIRET)[:9]
		if p.SIREN == nil {
			p.SIREN = &siren
		}
		*p.SIREN = siren
		return
	}
	if err := CheckEstablishment(*p.SIREN, *p.SIRET); err != nil {
		errs.add("siret", err)
	}
}
