package letter

import (
	"fmt"
	"strings"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/templates"
)

// column is one column of a table.
type column struct {
	title string
	width float64 // mm; the widths of a table add up to textWidth
	align string
}

const (
	headerHeight = 6.0
	rowHeight    = 5.5
)

// table prints a header and rows. A row whose first cell is empty
// continues the row above it (the periods of one invoice): such a group is
// kept on one page when it fits, and its first cell is repeated when it
// must be cut. The header is repeated on every page.
func (d *doc) table(cols []column, rows [][]string, bold map[int]bool) {
	pdf := d.pdf
	header := func() {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(235, 235, 235)
		for _, c := range cols {
			pdf.CellFormat(c.width, headerHeight, d.tr(c.title), "B", 0, c.align, true, 0, "")
		}
		pdf.Ln(-1)
	}
	d.need(headerHeight + groupHeight(rows, 0))
	header()
	lead := ""
	for i, row := range rows {
		cells := append([]string(nil), row...)
		if row[0] != "" {
			lead = row[0]
			if d.need(groupHeight(rows, i)) {
				header()
			}
		} else if d.need(rowHeight) {
			header()
			cells[0] = lead // the group goes on: say whose rows these are
		}
		style := ""
		if bold[i] {
			style = "B"
		}
		pdf.SetFont("Helvetica", style, 8)
		border := "T"
		if i == 0 || row[0] == "" {
			border = ""
		}
		for j, c := range cols {
			pdf.CellFormat(c.width, rowHeight, d.tr(cells[j]), border, 0, c.align, false, 0, "")
		}
		pdf.Ln(-1)
	}
}

// groupHeight is the height of the row at i and of the rows continuing it,
// at most a page's worth.
func groupHeight(rows [][]string, i int) float64 {
	n := 1
	for i+n < len(rows) && rows[i+n][0] == "" {
		n++
	}
	return min(float64(n)*rowHeight, 200)
}

// statement prints the sums claimed: the overdue invoices, their interest
// half-year by half-year, and the totals with the deadline.
func (d *doc) statement() {
	overdue := d.m.Overdue()
	claim := d.m.Claim()
	cur := claim.Currency
	w := d.w
	d.need(70)
	d.pdf.Ln(4)
	d.pdf.SetFont("Helvetica", "B", 11)
	d.pdf.CellFormat(0, 7, d.tr(fmt.Sprintf(w.statement, w.date(d.m.Day))), "B", 1, "L", false, 0, "")

	var rows [][]string
	for _, inv := range overdue {
		rows = append(rows, []string{inv.Number, w.date(inv.IssueDate), w.date(inv.DueDate),
			d.money(inv.Outstanding, cur), fmt.Sprint(inv.DaysLate), d.money(inv.Interest, cur),
			d.money(inv.Indemnity, cur), d.money(inv.Outstanding+inv.Interest+inv.Indemnity, cur)})
	}
	rows = append(rows, []string{w.total, "", "", d.money(claim.Outstanding, cur), "",
		d.money(claim.Interest, cur), d.money(claim.Indemnity, cur), d.money(claim.Due, cur)})
	d.heading(w.invoices, headerHeight+rowHeight)
	d.table([]column{{w.invoice, 25, "L"}, {w.issued, 19, "L"}, {w.due, 19, "L"}, {w.outstanding, 23, "R"},
		{w.late, 15, "R"}, {w.interest, 20, "R"}, {w.indemnity, 25, "R"}, {w.total, 24, "R"}},
		rows, map[int]bool{len(rows) - 1: true})

	if d.m.Penalties && claim.Interest > 0 {
		rows = rows[:0]
		for _, inv := range overdue {
			for i, p := range inv.Periods {
				number := inv.Number
				if i > 0 {
					number = ""
				}
				rows = append(rows, []string{number, w.periodOf(p.From, p.To), fmt.Sprint(p.Days),
					money.FormatRate(p.RateBP, d.locale), d.money(p.Principal, cur), d.money(p.Interest, cur)})
			}
		}
		d.heading(w.interestByHalf, headerHeight+groupHeight(rows, 0))
		d.table([]column{{w.invoice, 25, "L"}, {w.period, 55, "L"}, {w.days, 14, "R"}, {w.rate, 22, "R"},
			{w.base, 28, "R"}, {w.interest, 26, "R"}}, rows, nil)
	}
	d.totals(claim, len(overdue))
}

// totals prints the summary of the claim and the deadline.
func (d *doc) totals(claim templates.Totals, n int) {
	w, cur := d.w, claim.Currency
	indemnities := w.indemnities
	if each := d.m.IndemnityEach(); each > 0 {
		indemnities += " (" + w.indemnityCount(n, d.money(each, cur)) + ")"
	}
	lines := [][2]string{{w.principal, d.money(claim.Outstanding, cur)}}
	if d.m.Penalties {
		lines = append(lines, [2]string{w.penalties, d.money(claim.Interest, cur)}, [2]string{indemnities, d.money(claim.Indemnity, cur)})
	}
	lines = append(lines, [2]string{w.payNow, d.money(claim.Due, cur)})
	d.heading(w.totals, 6*float64(len(lines))+8)
	for i, l := range lines {
		last := i == len(lines)-1
		style, border := "", ""
		if last {
			style, border = "B", "T"
		}
		d.pdf.SetFont("Helvetica", style, 9.5)
		d.pdf.SetX(marginLeft + 50)
		d.pdf.CellFormat(80, 6, d.tr(l[0]), border, 0, "L", false, 0, "")
		d.pdf.CellFormat(textWidth-130, 6, d.tr(l[1]), border, 1, "R", false, 0, "")
	}
	if d.m.Deadline.IsZero() {
		return // a case file: no deadline
	}
	d.pdf.Ln(1)
	d.pdf.SetFont("Helvetica", "B", 9.5)
	d.pdf.CellFormat(0, 6, d.tr(fmt.Sprintf(w.deadline, w.date(d.m.Deadline))), "", 1, "R", false, 0, "")
}

// paymentDetails prints how to pay: the creditor's bank account and each
// invoice's payment link.
func (d *doc) paymentDetails() {
	e := d.m.Entity
	var lines []string
	if e.IBAN != "" {
		bic := ""
		if e.BIC != "" {
			bic = ", BIC " + e.BIC
		}
		lines = append(lines, fmt.Sprintf(d.w.transfer, e.IBAN, bic))
	}
	for _, inv := range d.m.Overdue() {
		if inv.PaymentLink != "" {
			lines = append(lines, fmt.Sprintf(d.w.online, inv.Number, inv.PaymentLink))
		}
	}
	if len(lines) == 0 {
		return
	}
	d.heading(d.w.payment, 10)
	d.pdf.SetFont("Helvetica", "", 9)
	for _, l := range lines {
		d.pdf.MultiCell(0, 4.6, d.tr(l), "", "L", false)
	}
}

// notClaimed names the invoices listed with the letter's rows that are not
// yet due: a formal notice never claims them.
func (d *doc) notClaimed() {
	var numbers []string
	for _, inv := range d.m.NotYetDue() {
		numbers = append(numbers, fmt.Sprintf(d.w.dueOn, inv.Number, d.w.date(inv.DueDate)))
	}
	if len(numbers) == 0 {
		return
	}
	d.need(12)
	d.pdf.Ln(3)
	d.pdf.SetFont("Helvetica", "I", 8.5)
	d.pdf.MultiCell(0, 4.2, d.tr(fmt.Sprintf(d.w.notClaimed, strings.Join(numbers, "; "))), "", "L", false)
}
