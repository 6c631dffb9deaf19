package importer

import (
	"errors"
	"strings"

	"github.com/relance/relance/internal/ledger"
)

// freeText says whether a field holds words people wrote (names, address
// lines) rather than an identifier or a value: ledger.CleanText keeps the
// zero-width joiners there.
func (f field) freeText() bool {
	switch f {
	case fieldClientName, fieldAddress1, fieldAddress2, fieldCity, fieldContact, fieldSegment, fieldReference:
		return true
	}
	return false
}

// ledgerColumns name, by the column a file calls it, each field the ledger
// names when it refuses a value (ledger.FieldError, ledger.RowProblem).
var ledgerColumns = map[string]field{
	"name": fieldClientName, "country": fieldCountry, "address_line1": fieldAddress1, "address_line2": fieldAddress2,
	"postcode": fieldPostcode, "city": fieldCity, "contact": fieldContact, "phone": fieldPhone,
	"emails": fieldEmail, "cc": fieldCC, "siren": fieldSIREN, "siret": fieldSIRET, "vat": fieldVAT,
	"credit_limit": fieldCreditLimit, "segment": fieldSegment, "profile": fieldProfile, "locale": fieldLocale,
	"number": fieldNumber, "applies_to": fieldAppliesTo, "client": fieldClientID, "invoice": fieldNumber,
}

// columnOf is the column a file calls the ledger's field name.
func columnOf(ledgerField string) string {
	if f, ok := ledgerColumns[ledgerField]; ok {
		return f.String()
	}
	return ledgerField
}

// parseClient reads what a row says about its client and has the ledger
// check it (ledger.ClientPatch), so that a value is refused in a file with
// the words the CLI and the API use. An empty cell, like a missing column,
// leaves the field nil: the client keeps what it has. name is the row's
// client name, already read.
func (p *rowParser) parseClient(d *ledger.ClientPatch, name *string) {
	text := p.opt
	d.Name = name
	d.Line1, d.Line2 = text(fieldAddress1), text(fieldAddress2)
	d.Postcode, d.City = text(fieldPostcode), text(fieldCity)
	d.Contact, d.Segment, d.Profile = text(fieldContact), text(fieldSegment), text(fieldProfile)
	d.Country, d.Phone, d.Locale = text(fieldCountry), text(fieldPhone), text(fieldLocale)
	d.SIREN, d.SIRET, d.VAT = text(fieldSIREN), text(fieldSIRET), text(fieldVAT)
	d.Emails, d.CC = p.emails(fieldEmail), p.emails(fieldCC)
	if s := p.c(fieldCreditLimit); s != "" {
		limit, err := p.amount(s)
		if err != nil {
			p.bad(fieldCreditLimit, "%v", err)
		} else {
			d.CreditLimit = &limit
		}
	}
	var invalid *ledger.InvalidError
	if err := d.Normalize(); errors.As(err, &invalid) {
		for _, fe := range invalid.Fields {
			reason := fe.Err.Error()
			if fe.Field == "vat" && d.VAT != nil {
				if _, ok := plainAmount(strings.ReplaceAll(*d.VAT, " ", "")); ok {
					// French exports often call the VAT amount "TVA".
					reason += " (for a column of VAT amounts, name it montant_tva)"
				}
			}
			p.errs.add(p.line, columnOf(fe.Field), reason)
		}
	}
}

// emails returns the raw cell of a list of addresses, nil when the column is
// missing or the cell empty. It is not cleaned: a control character in an
// address is refused by the ledger, not removed.
func (p *rowParser) emails(f field) *[]string {
	if !p.cols.has(f) {
		return nil
	}
	cell := p.cols.cell(p.rec, f)
	if cell == "" {
		return nil
	}
	return &[]string{cell}
}

// clientSaysFields are the fields parseClient reads (clientFields without the code): what a row says of its
// client.
var clientSaysFields = [...]field{fieldClientName, fieldAddress1, fieldAddress2, fieldPostcode, fieldCity,
	fieldContact, fieldSegment, fieldProfile, fieldCountry, fieldPhone, fieldLocale, fieldSIREN, fieldSIRET,
	fieldVAT, fieldEmail, fieldCC, fieldCreditLimit}

// maxParsedClients bounds the clients parseClientOnce remembers: every
// client of a million-row file took the reader from 44 to 380 MB.
const maxParsedClients = 4096

// clientParsed is what the last row of a client said of it: its cells as
// written and what parseClient made of them.
type clientParsed struct {
	cells [len(clientSaysFields)]string
	patch ledger.ClientPatch
}

// parseClientOnce is parseClient for the row of client code, parsed once
// per client: a client's cells are usually the same on each of its
// invoices, and its addresses went through net/mail on every one (a third
// of the reader's time). What parseClient made of the same cells is reused
// only when it refused and cleaned nothing, so that each row still reports
// its own errors and cleaned cells.
func (p *rowParser) parseClientOnce(code string, d *ledger.ClientPatch, name *string) {
	var cells [len(clientSaysFields)]string
	for i, f := range clientSaysFields {
		cells[i] = p.cols.cell(p.rec, f)
	}
	if last, ok := p.clients[code]; ok && last.cells == cells {
		*d = last.patch
		return
	}
	errs, cleaned := p.errs.total, p.cleaned.n
	p.parseClient(d, name)
	if p.errs.total != errs || p.cleaned.n != cleaned {
		delete(p.clients, code)
		return
	}
	switch {
	case p.clients == nil:
		p.clients = make(map[string]*clientParsed)
	case len(p.clients) >= maxParsedClients:
		clear(p.clients) // memory stays bounded; a client seen again is parsed again
	}
	last := &clientParsed{patch: *d}
	for i, c := range cells {
		last.cells[i] = strings.Clone(c) // not the whole record's line
	}
	p.clients[code] = last
}
