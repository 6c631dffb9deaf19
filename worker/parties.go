package worker

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/templates"
)

// party is the debtor as a message names it, with the country that picks
// its penalty rules.
type party struct {
	templates.Client
	country string
}

// parties reads the creditor and the debtor of a message from the ledger, as
// templates and letters print them: the entity's name, address, legal ids,
// IBAN and contacts (its email, else mail.reply_to), and the client's name
// and postal address; mail abroad ends with the country's name.
func parties(ctx context.Context, tx pgx.Tx, clientID int64, day time.Time, replyTo string) (templates.Entity, party, error) {
	e, c, err := ledger.New(tx, ledger.Options{}).Parties(ctx, clientID, day)
	if err != nil {
		return templates.Entity{}, party{}, err
	}
	locale := c.Locale
	if locale == "" {
		locale = e.Locale
	}
	creditor := templates.Entity{
		Name: e.Name, Locale: e.Locale, Address: e.Address.Lines(e.Country, c.Country, locale),
		SIREN: ledger.FormatSIREN(e.SIREN), VAT: e.VAT, Email: e.Email, Phone: e.Phone,
		IBAN: ledger.FormatIBAN(e.IBAN), BIC: e.BIC,
	}
	if creditor.Email == "" {
		creditor.Email = replyTo
	}
	debtor := party{
		Client: templates.Client{Code: c.Code, Name: c.Name, Locale: c.Locale,
			Address: c.Address.Lines(c.Country, e.Country, locale)},
		country: c.Country,
	}
	return creditor, debtor, nil
}
