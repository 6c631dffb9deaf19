package portfolio

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/internal/money"
)

// invoicesHeader is the header of the invoices CSV: the French aliases of the
// import contract (DESIGN.md §4), plus montant_ht (amount_excl_vat).
var invoicesHeader = []string{
	"numero_facture", "code_client", "raison_sociale", "date_facture",
	"date_echeance", "delai_paiement", "montant_ttc", "montant_ht",
	"montant_regle", "devise", "type", "facture_origine", "email", "langue",
	"profil",
}

// paymentsHeader is the header of the payments CSV.
var paymentsHeader = []string{"numero_facture", "date_paiement", "montant", "reference"}

// WriteInvoicesCSV writes the open items as French users export them from
// their ERP: UTF-8 without BOM, `;` separator, decimal comma without
// grouping, dd/mm/yyyy dates, one row per item in client then number order.
// It streams client by client, so memory stays bounded whatever the size.
func (p *Portfolio) WriteInvoicesCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	line := make([]byte, 0, 512)
	line = appendRecord(line, invoicesHeader...)
	if _, err := bw.Write(line); err != nil {
		return fmt.Errorf("writing invoices CSV: %w", err)
	}
	for acc := range p.Accounts() {
		c := acc.Client
		for _, it := range acc.Items {
			kind := "facture"
			if it.Kind == CreditNote {
				kind = "avoir"
			}
			line = appendRecord(line[:0],
				it.Number, c.Code, c.Name, frenchDate(it.Issue), frenchDate(it.Due), it.Terms,
				frenchAmount(it.AmountInclVAT), frenchAmount(it.AmountExclVAT), frenchAmount(it.Paid),
				Currency, kind, it.AppliesTo, c.Email, c.Locale, c.Profile)
			if _, err := bw.Write(line); err != nil {
				return fmt.Errorf("writing invoices CSV: %w", err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing invoices CSV: %w", err)
	}
	return nil
}

// WritePaymentsCSV writes the dated payments received on the open items, in
// the same French format: numero_facture;date_paiement;montant;reference.
// For each invoice they add up to its montant_regle: the file dates the
// partial payments, it does not add to them.
func (p *Portfolio) WritePaymentsCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	line := appendRecord(nil, paymentsHeader...)
	if _, err := bw.Write(line); err != nil {
		return fmt.Errorf("writing payments CSV: %w", err)
	}
	for acc := range p.Accounts() {
		for _, pay := range acc.Payments {
			line = appendRecord(line[:0], pay.Invoice, frenchDate(pay.Date), frenchAmount(pay.Amount), pay.Reference)
			if _, err := bw.Write(line); err != nil {
				return fmt.Errorf("writing payments CSV: %w", err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing payments CSV: %w", err)
	}
	return nil
}

// appendRecord appends one `;`-separated CSV line ending in "\n", quoting a
// field only when it holds a separator, a quote or a line break (RFC 4180).
func appendRecord(line []byte, fields ...string) []byte {
	for i, f := range fields {
		if i > 0 {
			line = append(line, ';')
		}
		if strings.ContainsAny(f, ";\"\r\n") {
			line = append(line, '"')
			line = append(line, strings.ReplaceAll(f, `"`, `""`)...)
			line = append(line, '"')
			continue
		}
		line = append(line, f...)
	}
	return append(line, '\n')
}

// frenchDate writes a date as dd/mm/yyyy.
func frenchDate(d time.Time) string {
	y, m, day := d.Date()
	b := make([]byte, 0, 10)
	b = append(b, byte('0'+day/10), byte('0'+day%10), '/', byte('0'+int(m)/10), byte('0'+int(m)%10), '/')
	return string(strconv.AppendInt(b, int64(y), 10))
}

// frenchAmount writes an amount with a decimal comma and no grouping:
// "-1234,56".
func frenchAmount(a money.Amount) string {
	return strings.Replace(money.FormatPlain(a), ".", ",", 1)
}
