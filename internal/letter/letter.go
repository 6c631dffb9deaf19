package letter

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/templates"
)

// Letter is one formal notice to lay out.
type Letter struct {
	// Message is the data the templates rendered: Creditor and Debtor are
	// the parties, Day the letter's date, the overdue Invoices with their
	// interest periods the statement, Deadline the date to pay by, Entity
	// the payment details and contact.
	Message templates.Message
	// Locale of the fixed wording ("fr" or "en"); use the Locale of the
	// templates.Rendered the body comes from.
	Locale string
	// Subject and Body come from the formal_notice rendering
	// (Rendered.Subject and Rendered.Letter). The body is printed as is,
	// paragraph by paragraph.
	Subject string
	Body    string
}

// A4 portrait, in millimetres.
const (
	marginLeft   = 20.0
	marginRight  = 20.0
	marginBottom = 20.0
	pageHeight   = 297.0
	textWidth    = 210.0 - marginLeft - marginRight
)

// doc is a letter being laid out.
type doc struct {
	pdf    *fpdf.Fpdf
	w      wording
	m      templates.Message
	locale string
	tr     func(string) string // UTF-8 to cp1252
}

// Render returns the letter as PDF bytes. The output depends only on l: the
// PDF's creation date is the letter's Day, so a replay gives the same file.
func Render(l Letter) ([]byte, error) {
	m := l.Message
	if m.Creditor.Name == "" || m.Debtor.Name == "" {
		return nil, errors.New("letter: the creditor and the debtor need a name")
	}
	if strings.TrimSpace(l.Body) == "" {
		return nil, errors.New("letter: empty body")
	}
	d := newDoc(l.Message, l.Locale, l.Subject)
	d.parties()
	d.opening(l.Subject)
	d.body(l.Body)
	d.statement()
	d.paymentDetails()
	d.notClaimed()
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("letter: %w", err)
	}
	return buf.Bytes(), nil
}

// newDoc starts an A4 document dated m.Day, in locale, titled title, its
// footer naming m.Creditor.
func newDoc(m templates.Message, locale, title string) *doc {
	w := wordingFor(locale)
	pdf := fpdf.New("P", "mm", "A4", "")
	cp1252 := pdf.UnicodeTranslatorFromDescriptor("")
	d := &doc{pdf: pdf, w: w, m: m, locale: w.locale,
		// money.Format groups French thousands with U+202F, absent from cp1252.
		tr: func(s string) string { return cp1252(strings.ReplaceAll(s, "\u202f", "\u00a0")) }}
	pdf.SetCatalogSort(true) // fpdf walks maps when writing; sorting makes the bytes reproducible
	pdf.SetCreationDate(m.Day)
	pdf.SetModificationDate(m.Day)
	pdf.SetCreator("relance", false)
	pdf.SetAuthor(m.Creditor.Name, true)
	pdf.SetTitle(title, true)
	pdf.SetMargins(marginLeft, 15, marginRight)
	pdf.SetAutoPageBreak(true, marginBottom)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(d.footer)
	pdf.AddPage()
	return d
}

func (d *doc) footer() {
	c := d.m.Creditor
	legal := c.Name
	if c.SIREN != "" {
		legal += " – " + d.w.siren + c.SIREN
	}
	if c.VAT != "" {
		legal += " – " + d.w.vat + c.VAT
	}
	d.pdf.SetY(-14)
	d.pdf.SetFont("Helvetica", "", 8)
	d.pdf.SetTextColor(110, 110, 110)
	d.pdf.CellFormat(textWidth-20, 4, d.tr(legal), "", 0, "L", false, 0, "")
	d.pdf.CellFormat(20, 4, fmt.Sprintf(d.w.page, d.pdf.PageNo()), "", 0, "R", false, 0, "")
	d.pdf.SetTextColor(0, 0, 0)
}

// parties prints the creditor top left and the debtor in the window of a DL
// envelope (right, about 45 mm from the top), each with address and ids.
func (d *doc) parties() {
	e := d.m.Entity
	d.sender(e.Contact, e.Phone, e.Email)
	d.window(d.m.Debtor.Name, d.m.Debtor.Address)
}

// sender prints the creditor top left: name, address, ids, then the
// contacts given that are not empty.
func (d *doc) sender(contacts ...string) {
	pdf, c := d.pdf, d.m.Creditor
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(90, 5, d.tr(c.Name), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	lines := append([]string(nil), c.Address...)
	lines = append(lines, d.ids(c)...)
	for _, v := range contacts {
		if v != "" {
			lines = append(lines, v)
		}
	}
	for _, line := range lines {
		pdf.CellFormat(90, 4.5, d.tr(line), "", 1, "L", false, 0, "")
	}
}

// window prints the registered-letter mention and the addressee in the
// window of a DL envelope: the name in bold, then the address lines.
func (d *doc) window(name string, address []string) {
	pdf := d.pdf
	pdf.SetXY(110, 45)
	pdf.SetFont("Helvetica", "B", 8)
	pdf.CellFormat(80, 4, d.tr(d.w.registered), "", 2, "L", false, 0, "")
	pdf.Ln(2)
	pdf.SetX(110)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.MultiCell(80, 5, d.tr(name), "", "L", false)
	pdf.SetFont("Helvetica", "", 11)
	for _, line := range address {
		pdf.SetX(110)
		pdf.MultiCell(80, 5, d.tr(line), "", "L", false)
	}
}

// ids are the company identifiers of a party, one per line.
func (d *doc) ids(p templates.Party) []string {
	var out []string
	if p.SIREN != "" {
		out = append(out, d.w.siren+p.SIREN)
	}
	if p.VAT != "" {
		out = append(out, d.w.vat+p.VAT)
	}
	return out
}

// opening prints the place and date, the debtor's references, the title and
// the subject.
func (d *doc) opening(subject string) {
	pdf := d.pdf
	pdf.SetY(max(pdf.GetY()+8, 88))
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 5, d.tr(d.w.place(cityOf(d.m.Creditor.Address), d.m.Day)), "", 1, "R", false, 0, "")
	refs := append([]string{d.w.account + d.m.Client.Code}, d.ids(d.m.Debtor)...)
	if d.m.Client.Code == "" {
		refs = refs[1:]
	}
	if len(refs) > 0 {
		pdf.SetFont("Helvetica", "", 8.5)
		pdf.MultiCell(0, 4.2, d.tr(d.w.yourRef+strings.Join(refs, " – ")), "", "L", false)
	}
	pdf.Ln(5)
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 7, d.tr(d.w.title), "", 1, "C", false, 0, "")
	pdf.Ln(3)
	pdf.SetFont("Helvetica", "B", 10)
	pdf.MultiCell(0, 5, d.tr(d.w.subject+subject), "", "L", false)
	pdf.Ln(3)
}

func (d *doc) body(body string) {
	d.pdf.SetFont("Helvetica", "", 10)
	for _, para := range strings.Split(strings.TrimSpace(body), "\n\n") {
		d.pdf.MultiCell(0, 4.6, d.tr(strings.TrimRight(para, "\n")), "", "L", false)
		d.pdf.Ln(2.4)
	}
}

// money formats an amount in the letter's language.
func (d *doc) money(a money.Amount, currency string) string {
	return money.Format(a, currency, d.locale)
}

// need starts a new page unless h millimetres are left above the bottom
// margin, so that a row or a block is never cut across two pages.
func (d *doc) need(h float64) bool {
	if d.pdf.GetY()+h <= pageHeight-marginBottom {
		return false
	}
	d.pdf.AddPage()
	return true
}

// heading prints a section title, on a new page unless the title and the
// first next millimetres of its section fit above the bottom margin.
func (d *doc) heading(s string, next float64) {
	d.need(10 + next)
	d.pdf.Ln(3)
	d.pdf.SetFont("Helvetica", "B", 10)
	d.pdf.CellFormat(0, 6, d.tr(s), "", 1, "L", false, 0, "")
	d.pdf.Ln(1)
}
