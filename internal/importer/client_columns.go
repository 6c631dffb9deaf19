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
	if p.memo.same(p.cols, p.rec) {
		*d = p.memo.patch
		return
	}
	errs, cleaned := p.errs.total, p.cleaned.n
	p.parseClientCells(d, name)
	p.memo.keep(p.cols, p.rec, *d, p.errs.total == errs && p.cleaned.n == cleaned)
}

// clientCells are the cells of a row that describe its client.
var clientCells = []field{fieldClientName, fieldAddress1, fieldAddress2, fieldPostcode, fieldCity, fieldContact,
	fieldSegment, fieldProfile, fieldCountry, fieldPhone, fieldLocale, fieldSIREN, fieldSIRET, fieldVAT,
	fieldEmail, fieldCC, fieldCreditLimit}

// clientMemo is the last client a row described, as read and as parsed:
// the rows of one client, one after the other in most exports, say the same
// of it, and checking its addresses is the dearest part of a row. Only a
// client read without a problem or a cleaned cell is kept, so that each row
// still reports its own.
type clientMemo struct {
	raw   []string
	patch ledger.ClientPatch
	ok    bool
}

func (m *clientMemo) same(cols columnMap, rec []string) bool {
	if !m.ok {
		return false
	}
	for i, f := range clientCells {
		if cols.cell(rec, f) != m.raw[i] {
			return false
		}
	}
	return true
}

func (m *clientMemo) keep(cols columnMap, rec []string, patch ledger.ClientPatch, ok bool) {
	m.raw, m.patch, m.ok = m.raw[:0], patch, ok
	for _, f := range clientCells {
		m.raw = append(m.raw, strings.Clone(cols.cell(rec, f))) // the CSV reader reuses its records
	}
}

// parseClientCells is parseClient without the memo.
func (p *rowParser) parseClientCells(d *ledger.ClientPatch, name *string) {
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
