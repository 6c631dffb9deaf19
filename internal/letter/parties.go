package letter

import (
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/templates"
)

// Parties are the creditor (the entity) and the debtor (its client) as
// messages, letters and case files print them: name, postal address (mail
// abroad ends with the country's name, in the debtor's language, else the
// entity's) and legal identifiers.
func Parties(e ledger.Entity, c ledger.Client) (creditor, debtor templates.Party) {
	locale := c.Locale
	if locale == "" {
		locale = e.Locale
	}
	creditor = templates.Party{Name: e.Name, Address: e.Address.Lines(e.Country, c.Country, locale),
		SIREN: ledger.FormatSIREN(e.SIREN), VAT: e.VAT}
	debtor = templates.Party{Name: c.Name, Address: c.Address.Lines(c.Country, e.Country, locale),
		SIREN: ledger.FormatSIREN(c.SIREN), VAT: c.VAT}
	return creditor, debtor
}
