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
func (p *Portfolio) WriteInvoicesCSV(w io.Writer) error { return p.WriteCSV(w, nil) }

// WritePaymentsCSV writes the dated payments received on the open items, in
// the same French format: numero_facture;date_paiement;montant;reference.
// For each invoice they add up to its montant_regle: the file dates the
// partial payments, it does not add to them.
func (p *Portfolio) WritePaymentsCSV(w io.Writer) error { return p.WriteCSV(nil, w) }

// WriteCSV writes the invoices CSV to invoices and the payments CSV to
// payments in one pass over the portfolio, which halves the time when both
// are wanted. Either writer may be nil to skip its file. The bytes are those
// of WriteInvoicesCSV and WritePaymentsCSV.
func (p *Portfolio) WriteCSV(invoices, payments io.Writer) error {
	inv, err := newCSVFile("invoices", invoices, invoicesHeader)
	if err != nil {
		return err
	}
	pay, err := newCSVFile("payments", payments, paymentsHeader)
	if err != nil {
		return err
	}
	for acc := range p.Accounts() {
		if inv != nil {
			c := acc.Client
			for _, it := range acc.Items {
				kind := "facture"
				if it.Kind == CreditNote {
					kind = "avoir"
				}
				line := appendField(inv.line[:0], it.Number)
				line = appendField(append(line, ';'), c.Code)
				line = appendField(append(line, ';'), c.Name)
				line = appendDate(append(line, ';'), it.Issue)
				line = appendDate(append(line, ';'), it.Due)
				line = appendField(append(line, ';'), it.Terms)
				line = appendAmount(append(line, ';'), it.AmountInclVAT)
				line = appendAmount(append(line, ';'), it.AmountExclVAT)
				line = appendAmount(append(line, ';'), it.Paid)
				line = append(line, ";"+Currency+";"...)
				line = append(line, kind...)
				line = appendField(append(line, ';'), it.AppliesTo)
				line = appendField(append(line, ';'), c.Email)
				line = appendField(append(line, ';'), c.Locale)
				line = appendField(append(line, ';'), c.Profile)
				if err := inv.writeLine(line); err != nil {
					return err
				}
			}
		}
		if pay != nil {
			for _, pm := range acc.Payments {
				line := appendField(pay.line[:0], pm.Invoice)
				line = appendDate(append(line, ';'), pm.Date)
				line = appendAmount(append(line, ';'), pm.Amount)
				line = appendField(append(line, ';'), pm.Reference)
				if err := pay.writeLine(line); err != nil {
					return err
				}
			}
		}
	}
	for _, f := range []*csvFile{inv, pay} {
		if f != nil {
			if err := f.w.Flush(); err != nil {
				return fmt.Errorf("writing %s CSV: %w", f.name, err)
			}
		}
	}
	return nil
}

// csvFile is one output file being streamed, with the line buffer it reuses.
type csvFile struct {
	name string
	w    *bufio.Writer
	line []byte
}

// newCSVFile starts a file with its header; a nil w gives a nil file.
func newCSVFile(name string, w io.Writer, header []string) (*csvFile, error) {
	if w == nil {
		return nil, nil
	}
	f := &csvFile{name: name, w: bufio.NewWriterSize(w, 64<<10), line: make([]byte, 0, 512)}
	if _, err := f.w.Write(appendRecord(nil, header...)); err != nil {
		return nil, fmt.Errorf("writing %s CSV: %w", name, err)
	}
	return f, nil
}

// writeLine ends line and writes it, keeping its buffer for the next one.
func (f *csvFile) writeLine(line []byte) error {
	f.line = append(line, '\n')
	if _, err := f.w.Write(f.line); err != nil {
		return fmt.Errorf("writing %s CSV: %w", f.name, err)
	}
	return nil
}

// appendRecord appends one `;`-separated CSV line ending in "\n".
func appendRecord(line []byte, fields ...string) []byte {
	for i, f := range fields {
		if i > 0 {
			line = append(line, ';')
		}
		line = appendField(line, f)
	}
	return append(line, '\n')
}

// appendField appends one field, quoted only when it holds a separator, a
// quote or a line break (RFC 4180).
func appendField(line []byte, f string) []byte {
	if !strings.ContainsAny(f, ";\"\r\n") {
		return append(line, f...)
	}
	line = append(line, '"')
	line = append(line, strings.ReplaceAll(f, `"`, `""`)...)
	return append(line, '"')
}

// appendDate appends a date as dd/mm/yyyy.
func appendDate(b []byte, d time.Time) []byte {
	y, m, day := d.Date()
	b = append(b, byte('0'+day/10), byte('0'+day%10), '/', byte('0'+int(m)/10), byte('0'+int(m)%10), '/')
	return strconv.AppendInt(b, int64(y), 10)
}

// appendAmount appends an amount with a decimal comma and no grouping:
// "-1234,56".
func appendAmount(b []byte, a money.Amount) []byte {
	v := int64(a)
	if v < 0 {
		b, v = append(b, '-'), -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	return append(b, ',', byte('0'+v%100/10), byte('0'+v%10))
}
