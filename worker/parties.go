package worker

import (
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/letter"
	"github.com/relance/relance/templates"
)

// messageParties is who a message is from and to: each side's identity
// (templates.Party), the creditor's contacts and bank details, the debtor's
// account, and the country that picks the debtor's penalty rules; for a
// letter, both postal addresses as the ledger holds them, what the
// debtor's lacks, and the entity's letter channel.
type messageParties struct {
	creditor, debtor templates.Party
	entity           templates.Entity
	client           templates.Client
	country          string

	entityCode, letterChannel    string
	creditorPostal, debtorPostal letter.Address
	debtorUnpostable             []string // ledger.Address.Unpostable
}

// partiesOf is the creditor e and the debtor c of a message (read with its
// rows by the lock statement), as templates and letters print them: the
// entity's name, address, legal ids, IBAN and contacts (its email, else
// mail.reply_to), and the client's name, postal address and legal ids; mail
// abroad ends with the country's name.
func partiesOf(e ledger.Entity, c ledger.Client, replyTo string) messageParties {
	creditor, debtor := letter.Parties(e, c)
	p := messageParties{
		creditor: creditor,
		debtor:   debtor,
		entity: templates.Entity{Locale: e.Locale, Email: e.Email, Phone: e.Phone,
			IBAN: ledger.FormatIBAN(e.IBAN), BIC: e.BIC},
		client:  templates.Client{Code: c.Code, Locale: c.Locale},
		country: c.Country,

		entityCode: e.Code, letterChannel: e.LetterChannel,
		creditorPostal: postal(e.Address, e.Country), debtorPostal: postal(c.Address, c.Country),
		debtorUnpostable: c.Address.Unpostable(),
	}
	if p.entity.Email == "" {
		p.entity.Email = replyTo
	}
	return p
}

func postal(a ledger.Address, country string) letter.Address {
	return letter.Address{Line1: a.Line1, Line2: a.Line2, Postcode: a.Postcode, City: a.City, Country: country}
}
