package worker

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/letter"
	"github.com/relance/relance/templates"
)

// messageParties is who a message is from and to: each side's identity
// (templates.Party), the creditor's contacts and bank details, the debtor's
// account, and the country that picks the debtor's penalty rules.
type messageParties struct {
	creditor, debtor templates.Party
	entity           templates.Entity
	client           templates.Client
	country          string
}

// parties reads the creditor and the debtor of a message from the ledger, as
// templates and letters print them: the entity's name, address, legal ids,
// IBAN and contacts (its email, else mail.reply_to), and the client's name,
// postal address and legal ids; mail abroad ends with the country's name.
func parties(ctx context.Context, tx pgx.Tx, clientID int64, day time.Time, replyTo string) (messageParties, error) {
	e, c, err := ledger.New(tx, ledger.Options{}).Parties(ctx, clientID, day)
	if err != nil {
		return messageParties{}, err
	}
	creditor, debtor := letter.Parties(e, c)
	p := messageParties{
		creditor: creditor,
		debtor:   debtor,
		entity: templates.Entity{Locale: e.Locale, Email: e.Email, Phone: e.Phone,
			IBAN: ledger.FormatIBAN(e.IBAN), BIC: e.BIC},
		client:  templates.Client{Code: c.Code, Locale: c.Locale},
		country: c.Country,
	}
	if p.entity.Email == "" {
		p.entity.Email = replyTo
	}
	return p, nil
}
