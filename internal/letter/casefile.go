package letter

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/templates"
)

// Rules picks the late-payment rules for a debtor's country;
// *penalty.Chooser is one.
type Rules interface {
	For(country string) *penalty.Calculator
}

// caseDoc is a case file being laid out.
type caseDoc struct {
	*doc
	cw caseWording
	d  ledger.CaseDossier
}

// RenderCaseFile lays out the file of a legal collection case (dossier de
// recouvrement) as of d.Day, in French or English, for the lawyer, the
// commissaire de justice, the agency or the court: the parties, the
// procedure and its stages, the invoices with what was claimed and
// recovered, the claim with the penalties as a formal notice states them
// (interest by half-year under the debtor's rules, fixed indemnities), the
// reminders and letters sent with their dates and channels, the letters'
// posting, tracking number and outcome when recorded, and the costs. The output depends only on
// its input.
func RenderCaseFile(d ledger.CaseDossier, rules Rules, locale string) ([]byte, error) {
	claim, err := caseClaim(d, rules)
	if err != nil {
		return nil, err
	}
	cw := caseWordingFor(locale)
	title := fmt.Sprintf(cw.number, d.Case.ID, ledger.CaseLabel(d.Case.Procedure, cw.locale))
	c := caseDoc{doc: newDoc(claim, locale, title), cw: cw, d: d}
	c.w.payNow = cw.claimTotal
	c.header(title)
	c.parties()
	c.procedure()
	c.invoices()
	c.statement()
	c.reminders()
	c.letters()
	c.costs()
	c.summary()
	var buf bytes.Buffer
	if err := c.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("letter: case file: %w", err)
	}
	return buf.Bytes(), nil
}

// caseClaim is the claim of a case as of its dossier's day, computed as the
// send worker computes a formal notice's: each invoice's outstanding, its
// interest since the day after its due date on what remained due each day,
// by half-year under the debtor's rule set, and the fixed indemnity. An
// invoice recovered in full still carries the interest it accrued until
// paid. An insolvency opening stops the accrual.
func caseClaim(d ledger.CaseDossier, rules Rules) (templates.Message, error) {
	creditor, debtor := Parties(d.Creditor, d.Debtor)
	m := templates.Message{Creditor: creditor, Debtor: debtor, Day: d.Day, Penalties: true,
		Client: templates.Client{Code: d.Debtor.Code, Locale: d.Debtor.Locale}}
	calc := rules.For(d.Debtor.Country)
	for _, inv := range d.Case.Invoices {
		debt := penalty.Debt{Amount: inv.Amount, DueDate: inv.Due}
		if in := d.Debtor.Insolvency; in.Kind != "" {
			debt.FrozenFrom = in.Opened
		}
		for _, s := range inv.Settlements {
			debt.Payments = append(debt.Payments, penalty.Payment{Day: s.Day, Amount: s.Amount})
		}
		res, err := calc.Compute(debt, d.Day)
		if err != nil {
			return m, fmt.Errorf("letter: case file: penalties of %s: %w", inv.Number, err)
		}
		m.Invoices = append(m.Invoices, templates.Invoice{Number: inv.Number, IssueDate: inv.Issued, DueDate: inv.Due,
			DaysLate: clock.DaysBetween(inv.Due, d.Day), Currency: d.Case.Currency, Amount: inv.Amount,
			Outstanding: inv.Outstanding, Interest: res.Interest, Indemnity: res.Indemnity, Periods: res.Periods})
	}
	m.Totals = templates.TotalsOf(m.Invoices)
	m.Totals.Currency = d.Case.Currency
	return m, nil
}

// header prints the creditor's name, the title, the case and the day.
func (c caseDoc) header(title string) {
	pdf := c.pdf
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 5, c.tr(c.m.Creditor.Name), "", 1, "L", false, 0, "")
	pdf.Ln(6)
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 7, c.tr(c.cw.title), "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "B", 10.5)
	pdf.CellFormat(0, 6, c.tr(title), "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 9.5)
	pdf.CellFormat(0, 5, c.tr(fmt.Sprintf(c.cw.drawnUp, c.w.date(c.d.Day))), "", 1, "C", false, 0, "")
	pdf.Ln(3)
}

// parties prints the creditor and the debtor side by side.
func (c caseDoc) parties() {
	pdf := c.pdf
	top := pdf.GetY()
	block := func(x float64, label string, p templates.Party, extra []string) float64 {
		pdf.SetXY(x, top)
		pdf.SetFont("Helvetica", "B", 8.5)
		pdf.CellFormat(82, 5, c.tr(label), "B", 2, "L", false, 0, "")
		pdf.SetFont("Helvetica", "B", 10)
		pdf.MultiCell(82, 5, c.tr(p.Name), "", "L", false)
		pdf.SetFont("Helvetica", "", 9)
		for _, line := range append(append(append([]string(nil), p.Address...), c.ids(p)...), extra...) {
			pdf.SetX(x)
			pdf.MultiCell(82, 4.5, c.tr(line), "", "L", false)
		}
		return pdf.GetY()
	}
	left := block(marginLeft, c.cw.creditor, c.m.Creditor, nil)
	right := block(marginLeft+88, c.cw.debtor, c.m.Debtor, []string{c.w.account + c.d.Debtor.Code})
	pdf.SetXY(marginLeft, max(left, right)+2)
}

// procedure prints the procedure, who handles it, and its stages with their
// days, the opposition deadline computed from the service.
func (c caseDoc) procedure() {
	cs, cw, l := c.d.Case, c.cw, c.cw.locale
	c.heading(cw.procedure, 30)
	c.pdf.SetFont("Helvetica", "", 9)
	lines := []string{cw.procedureIs + ledger.CaseLabel(cs.Procedure, l)}
	if cs.Reference != "" {
		lines = append(lines, cw.reference+cs.Reference)
	}
	if cs.Handler != "" {
		lines = append(lines, cw.handler+cs.Handler)
	}
	lines = append(lines, fmt.Sprintf(cw.openedBy, c.w.date(cs.Opened), cs.OpenedBy))
	if cs.WithoutNotice {
		lines = append(lines, cw.withoutNotice)
	}
	for _, line := range lines {
		c.pdf.MultiCell(0, 4.6, c.tr(line), "", "L", false)
	}
	c.pdf.Ln(2)
	var rows [][]string
	for _, st := range []string{ledger.StageOpened, ledger.StageFiled, ledger.StageGranted, ledger.StageServed} {
		rows = append(rows, []string{ledger.CaseLabel(st, l), c.dateOr(cs.StageDay(st))})
	}
	rows = append(rows, []string{ledger.CaseLabel("opposition_deadline", l) + cw.computed, c.dateOr(cs.OppositionDeadline())})
	rows = append(rows, []string{ledger.CaseLabel(ledger.StageEnforceable, l), c.dateOr(cs.Enforceable)})
	closed := c.dateOr(cs.Closed)
	if !cs.Closed.IsZero() {
		closed += " (" + ledger.CaseLabel(cs.Outcome, l) + ")"
	}
	rows = append(rows, []string{ledger.CaseLabel(ledger.StageClosed, l), closed})
	c.table([]column{{cw.stage, 110, "L"}, {cw.date, 60, "L"}}, rows, nil)
}

// invoices prints the case's invoices: amount, claimed, recovered, due.
func (c caseDoc) invoices() {
	cs, cw, cur := c.d.Case, c.cw, c.d.Case.Currency
	var rows [][]string
	for _, inv := range cs.Invoices {
		rows = append(rows, []string{inv.Number, c.w.date(inv.Issued), c.w.date(inv.Due), c.money(inv.Amount, cur),
			c.money(inv.Claimed, cur), c.money(inv.Recovered, cur), c.money(inv.Outstanding, cur)})
	}
	rows = append(rows, []string{c.w.total, "", "", "", c.money(cs.Claimed(), cur), c.money(cs.Recovered(), cur),
		c.money(cs.Outstanding(), cur)})
	c.heading(cw.invoices, headerHeight+rowHeight)
	c.table([]column{{c.w.invoice, 25, "L"}, {c.w.issued, 19, "L"}, {c.w.due, 19, "L"}, {cw.amount, 26, "R"},
		{cw.claimed, 27, "R"}, {cw.recovered, 27, "R"}, {c.w.outstanding, 27, "R"}}, rows, map[int]bool{len(rows) - 1: true})
}

// reminders prints every message sent about the case's invoices.
func (c caseDoc) reminders() {
	cw := c.cw
	c.heading(cw.reminders, headerHeight+rowHeight)
	if len(c.d.Reminders) == 0 {
		c.note(cw.noReminders)
		return
	}
	var rows [][]string
	for _, r := range c.d.Reminders {
		rows = append(rows, []string{c.w.date(r.Day), cw.step(r.Step, r.Level), cw.channel(r.Channel), strings.Join(r.Invoices, ", ")})
	}
	c.table([]column{{cw.date, 24, "L"}, {cw.stepTitle, 46, "L"}, {cw.channelTitle, 40, "L"}, {cw.listed, 60, "L"}}, rows, nil)
}

// letters prints the registered letters with their proof of posting and
// what became of them, when relance has it: the posting day, then the
// tracking number and the outcome on rows of their own.
func (c caseDoc) letters() {
	cw := c.cw
	var rows [][]string
	for _, r := range c.d.Reminders {
		if !r.Letter() {
			continue
		}
		proof := []string{cw.notRecorded}
		if !r.Posted.IsZero() {
			proof[0] = fmt.Sprintf(cw.postedOn, c.w.date(r.Posted))
			if r.Proof != "" {
				proof = append(proof, fmt.Sprintf(cw.tracking, r.Proof))
			}
		}
		if o, ok := cw.outcomes[r.Outcome]; ok {
			proof = append(proof, fmt.Sprintf(o, c.w.date(r.OutcomeOn)))
			if r.OutcomeReason != "" {
				proof = append(proof, clip(r.OutcomeReason, 40))
			}
		}
		rows = append(rows, []string{c.w.date(r.Day), cw.step(r.Step, r.Level), strings.Join(r.Invoices, ", "), proof[0]})
		for _, p := range proof[1:] {
			rows = append(rows, []string{"", "", "", p})
		}
	}
	c.heading(cw.letters, headerHeight+rowHeight)
	if len(rows) == 0 {
		c.note(cw.noLetters)
		return
	}
	c.table([]column{{cw.date, 24, "L"}, {cw.stepTitle, 36, "L"}, {cw.listed, 50, "L"}, {cw.proof, 60, "L"}}, rows, nil)
}

// clip shortens s to n characters, an ellipsis last, for a table cell
// that does not wrap.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// costs prints what the case cost.
func (c caseDoc) costs() {
	cs, cw, cur := c.d.Case, c.cw, c.d.Case.Currency
	c.heading(cw.costs, headerHeight+rowHeight)
	if len(cs.Costs) == 0 {
		c.note(cw.noCosts)
		return
	}
	var rows [][]string
	for _, x := range cs.Costs {
		rows = append(rows, []string{c.w.date(x.On), ledger.CaseLabel(x.Kind, cw.locale), x.Note, c.money(x.Amount, cur)})
	}
	rows = append(rows, []string{c.w.total, "", "", c.money(cs.CostTotal(), cur)})
	c.table([]column{{cw.date, 24, "L"}, {cw.kind, 56, "L"}, {cw.note, 60, "L"}, {cw.costAmount, 30, "R"}}, rows, map[int]bool{len(rows) - 1: true})
}

// summary sums it up: claimed, recovered, still due with penalties, costs.
func (c caseDoc) summary() {
	cs, cw, cur := c.d.Case, c.cw, c.d.Case.Currency
	claim := c.m.Claim()
	lines := [][2]string{
		{fmt.Sprintf(cw.claimedOn, c.w.date(cs.Opened)), c.money(cs.Claimed(), cur)},
		{cw.recoveredInCase, c.money(cs.Recovered(), cur)},
		{fmt.Sprintf(cw.dueOn, c.w.date(c.d.Day)), c.money(claim.Due, cur)},
		{cw.costTotal, c.money(cs.CostTotal(), cur)},
	}
	c.heading(cw.summary, 6*float64(len(lines))+8)
	for _, l := range lines {
		c.pdf.SetFont("Helvetica", "", 9.5)
		c.pdf.SetX(marginLeft + 40)
		c.pdf.CellFormat(90, 6, c.tr(l[0]), "", 0, "L", false, 0, "")
		c.pdf.CellFormat(textWidth-130, 6, c.tr(l[1]), "", 1, "R", false, 0, "")
	}
}

// dateOr is the date, or a dash for a stage not reached.
func (c caseDoc) dateOr(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return c.w.date(t)
}

// note prints a line in italics, for a section with nothing to list.
func (c caseDoc) note(s string) {
	c.pdf.SetFont("Helvetica", "I", 9)
	c.pdf.MultiCell(0, 4.6, c.tr(s), "", "L", false)
}
