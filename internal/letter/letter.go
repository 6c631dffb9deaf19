// Package letter lays out the formal notice (mise en demeure) as an A4 PDF
// letter, ready for a registered-letter service or for printing: sender
// block, recipient address in the window of a DL envelope, the
// registered-letter mention, place and date, subject, the body rendered by
// the formal_notice text template, and an appendix listing the invoices.
//
// The PDF uses the standard Helvetica font in the cp1252 encoding, which
// covers French and English (accents, €, typographic quotes); a character
// outside cp1252 prints as '.'.
package letter

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/templates"
)

// Letter is one formal notice to lay out.
type Letter struct {
	// Message is the data the templates rendered: the entity is the
	// sender, the client the recipient, Day the letter's date, Invoices and
	// Totals the appendix.
	Message templates.Message
	// Locale of the fixed wording ("fr" or "en"); use the Locale of the
	// templates.Rendered the body comes from.
	Locale string
	// Subject and Body come from the formal_notice rendering
	// (Rendered.Subject and Rendered.Text). The body is printed as is,
	// paragraph by paragraph.
	Subject string
	Body    string
}

type wording struct {
	registered, subject, appendix, totalDue                  string
	invoice, issued, due, amount, outstanding, interest, fee string
	page                                                     string
	siren, vat                                               string
	date                                                     func(time.Time) string
}

var frMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

func wordingFor(locale string) wording {
	if strings.HasPrefix(locale, "en") {
		return wording{
			registered: "REGISTERED LETTER WITH ACKNOWLEDGEMENT OF RECEIPT", subject: "Subject: ",
			appendix: "Appendix: statement of unpaid invoices", totalDue: "Total due: ",
			invoice: "Invoice", issued: "Date", due: "Due date", amount: "Amount incl. VAT",
			outstanding: "Outstanding", interest: "Interest", fee: "Compensation", page: "Page %d/{nb}",
			siren: "SIREN ", vat: "VAT number ",
			date: func(t time.Time) string { return t.Format("2 January 2006") },
		}
	}
	return wording{
		registered: "LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION", subject: "Objet : ",
		appendix: "Annexe : relevé des factures impayées", totalDue: "Total à régler : ",
		invoice: "Facture", issued: "Date", due: "Échéance", amount: "Montant TTC",
		outstanding: "Reste dû", interest: "Pénalités", fee: "Indemnité", page: "Page %d/{nb}",
		siren: "SIREN ", vat: "TVA intracommunautaire ",
		date: func(t time.Time) string {
			day := fmt.Sprint(t.Day())
			if t.Day() == 1 {
				day = "1er"
			}
			return fmt.Sprintf("Le %s %s %d", day, frMonths[t.Month()-1], t.Year())
		},
	}
}

// Render returns the letter as PDF bytes. The output depends only on l: the
// PDF's creation date is the letter's Day, so a replay gives the same file.
func Render(l Letter) ([]byte, error) {
	m := l.Message
	if m.Client.Name == "" || m.Entity.Name == "" {
		return nil, errors.New("letter: the entity and the client need a name")
	}
	if strings.TrimSpace(l.Body) == "" {
		return nil, errors.New("letter: empty body")
	}
	w := wordingFor(l.Locale)
	locale := "fr"
	if strings.HasPrefix(l.Locale, "en") {
		locale = "en"
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	cp1252 := pdf.UnicodeTranslatorFromDescriptor("")
	// money.Format groups French thousands with U+202F, absent from cp1252.
	tr := func(s string) string { return cp1252(strings.ReplaceAll(s, "\u202f", "\u00a0")) }
	pdf.SetCatalogSort(true) // fpdf walks maps when writing; sorting makes the bytes reproducible
	pdf.SetCreationDate(m.Day)
	pdf.SetModificationDate(m.Day)
	pdf.SetCreator("relance", false)
	pdf.SetAuthor(m.Entity.Name, true)
	pdf.SetTitle(l.Subject, true)
	pdf.SetMargins(20, 15, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(110, 110, 110)
		legal := m.Entity.Name
		if m.Entity.SIREN != "" {
			legal += " – SIREN " + m.Entity.SIREN
		}
		pdf.CellFormat(0, 4, tr(legal), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 4, fmt.Sprintf(w.page, pdf.PageNo()), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()

	// Sender, top left.
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(90, 5, tr(m.Entity.Name), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	for _, line := range senderLines(m.Entity, w) {
		pdf.CellFormat(90, 4.5, tr(line), "", 1, "L", false, 0, "")
	}

	// Recipient, in the window of a DL envelope (right, ~45 mm from the top).
	pdf.SetXY(110, 45)
	pdf.SetFont("Helvetica", "B", 8)
	pdf.CellFormat(80, 4, tr(w.registered), "", 2, "L", false, 0, "")
	pdf.Ln(2)
	pdf.SetX(110)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.MultiCell(80, 5, tr(m.Client.Name), "", "L", false)
	pdf.SetFont("Helvetica", "", 11)
	for _, line := range m.Client.Address {
		pdf.SetX(110)
		pdf.MultiCell(80, 5, tr(line), "", "L", false)
	}

	// Date, subject, body.
	pdf.SetY(max(pdf.GetY()+10, 90))
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 5, tr(w.date(m.Day)), "", 1, "R", false, 0, "")
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 10)
	pdf.MultiCell(0, 5, tr(w.subject+l.Subject), "", "L", false)
	pdf.Ln(3)
	pdf.SetFont("Helvetica", "", 10)
	for _, para := range strings.Split(strings.TrimSpace(l.Body), "\n\n") {
		pdf.MultiCell(0, 4.6, tr(strings.TrimRight(para, "\n")), "", "L", false)
		pdf.Ln(2.4)
	}

	// Appendix: the invoices, on a page of their own.
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 6, tr(w.appendix), "", 1, "L", false, 0, "")
	pdf.Ln(2)
	cols := []struct {
		title string
		width float64
		align string
	}{{w.invoice, 28, "L"}, {w.issued, 20, "L"}, {w.due, 20, "L"}, {w.amount, 26, "R"},
		{w.outstanding, 26, "R"}, {w.interest, 25, "R"}, {w.fee, 25, "R"}}
	header := func() {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(235, 235, 235)
		for _, c := range cols {
			pdf.CellFormat(c.width, 6, tr(c.title), "B", 0, c.align, true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 8)
	}
	header()
	date := func(t time.Time) string {
		if locale == "fr" {
			return t.Format("02/01/2006")
		}
		return t.Format("2 Jan 2006")
	}
	for _, inv := range m.Invoices {
		if pdf.GetY() > 270 {
			pdf.AddPage()
			header()
		}
		cells := []string{inv.Number, date(inv.IssueDate), date(inv.DueDate),
			money.Format(inv.Amount, inv.Currency, locale), money.Format(inv.Outstanding, inv.Currency, locale),
			money.Format(inv.Interest, inv.Currency, locale), money.Format(inv.Indemnity, inv.Currency, locale)}
		for i, c := range cols {
			pdf.CellFormat(c.width, 5.5, tr(cells[i]), "B", 0, c.align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.SetFont("Helvetica", "B", 8)
	t := m.Totals
	totals := []string{"Total", "", "", "", money.Format(t.Outstanding, t.Currency, locale),
		money.Format(t.Interest, t.Currency, locale), money.Format(t.Indemnity, t.Currency, locale)}
	for i, c := range cols {
		pdf.CellFormat(c.width, 6, tr(totals[i]), "", 0, c.align, false, 0, "")
	}
	pdf.Ln(-1)
	pdf.CellFormat(0, 7, tr(w.totalDue+money.Format(t.Due, t.Currency, locale)), "", 1, "R", false, 0, "")

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("letter: %w", err)
	}
	return buf.Bytes(), nil
}

// senderLines is the creditor's block under its name: postal address,
// contacts, and the legal identifiers a formal notice must carry.
func senderLines(e templates.Entity, w wording) []string {
	lines := append([]string(nil), e.Address...)
	if e.Phone != "" {
		lines = append(lines, e.Phone)
	}
	if e.Email != "" {
		lines = append(lines, e.Email)
	}
	if e.SIREN != "" {
		lines = append(lines, w.siren+e.SIREN)
	}
	if e.VAT != "" {
		lines = append(lines, w.vat+e.VAT)
	}
	return lines
}
