package aging

import (
	"fmt"
	"sort"
	"time"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/plans"
)

// Row is one client's line of the aged balance in one currency.
type Row struct {
	EntityCode string // the entity (company of a group) the client belongs to
	EntityName string
	ClientCode string
	ClientName string
	Currency   string
	// Buckets holds the open amount aged into each bucket, index for index
	// with Report.Buckets. Applied credit notes net inside their invoice's
	// bucket, so an amount may be negative.
	Buckets []money.Amount
	// Unapplied is the client's credit applied to no invoice at the as-of
	// date: open credit notes naming no invoice plus the unallocated part of
	// payments. It is ≤ 0 in a consistent ledger.
	Unapplied money.Amount
	// Disputed is the open amount of the client's invoices in dispute at the
	// as-of date: part of the buckets, or left out of them with
	// Options.ExcludeDisputed.
	Disputed money.Amount
}

// Add adds r's amounts to t (a total or subtotal row).
func (t *Row) Add(r Row) {
	for i, a := range r.Buckets {
		t.Buckets[i] += a
	}
	t.Unapplied += r.Unapplied
	t.Disputed += r.Disputed
}

// Outstanding is the sum of the buckets (what is aged, before unapplied credit).
func (r Row) Outstanding() money.Amount {
	var s money.Amount
	for _, a := range r.Buckets {
		s += a
	}
	return s
}

// Overdue is the sum of every bucket but not due.
func (r Row) Overdue() money.Amount { return r.Outstanding() - r.Buckets[0] }

// Total is the client's net balance: the buckets plus unapplied credit.
func (r Row) Total() money.Amount { return r.Outstanding() + r.Unapplied }

// LateRate is overdue ÷ the sum of the buckets (DESIGN §2: 3,800.00 overdue
// of 8,200.00 is 46.34%). It is zero when nothing is aged.
func (r Row) LateRate() Rate { return RateOf(int64(r.Overdue()), int64(r.Outstanding())) }

// Rate is a percentage in hundredths of a percent (4634 is 46.34%), rounded
// half away from zero, so that ratios print identically everywhere.
type Rate int64

// RateOf returns num ÷ den as a Rate; 0 when den is 0.
func RateOf(num, den int64) Rate {
	if den == 0 {
		return 0
	}
	n := num * 10000
	if (n < 0) != (den < 0) {
		return Rate(-((abs(n)*2 + abs(den)) / (2 * abs(den))))
	}
	return Rate((abs(n)*2 + abs(den)) / (2 * abs(den)))
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// String writes the percentage with two decimals and a '.' ("46.34").
func (r Rate) String() string {
	sign := ""
	if r < 0 {
		sign, r = "-", -r
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(r)/100, int64(r)%100)
}

// Fraction returns the rate as a fraction (0.4634) for a spreadsheet cell.
func (r Rate) Fraction() float64 { return float64(r) / 10000 }

// Section is the aged balance of one currency: amounts in different
// currencies are never added.
type Section struct {
	Currency string
	Rows     []Row // ordered by entity code, then client code
	Total    Row   // ClientCode "TOTAL": the column sums
	// Subtotals holds, when the rows come from several entities (a group
	// consolidated), one row per entity in the order of Rows: EntityCode and
	// EntityName say which, ClientCode is empty. Nil for a single entity.
	Subtotals []Row
}

// subtotal groups the rows by entity, keeping the client order within
// each, and fills Subtotals when they span several entities.
func (s *Section) subtotal() {
	s.Subtotals = nil
	sort.SliceStable(s.Rows, func(i, j int) bool { return s.Rows[i].EntityCode < s.Rows[j].EntityCode })
	for _, r := range s.Rows {
		if n := len(s.Subtotals); n == 0 || s.Subtotals[n-1].EntityCode != r.EntityCode {
			s.Subtotals = append(s.Subtotals, Row{EntityCode: r.EntityCode, EntityName: r.EntityName,
				Currency: r.Currency, Buckets: make([]money.Amount, len(r.Buckets))})
		}
		s.Subtotals[len(s.Subtotals)-1].Add(r)
	}
	if len(s.Subtotals) < 2 {
		s.Subtotals = nil
	}
}

// SubtotalAfter returns the subtotal of the entity whose last row is
// Rows[i], and true; false when Rows[i] is not the last of its entity or
// the section has no subtotals. Writers print it right after that row.
func (s Section) SubtotalAfter(i int) (Row, bool) {
	if s.Subtotals == nil || (i+1 < len(s.Rows) && s.Rows[i+1].EntityCode == s.Rows[i].EntityCode) {
		return Row{}, false
	}
	for _, sub := range s.Subtotals {
		if sub.EntityCode == s.Rows[i].EntityCode {
			return sub, true
		}
	}
	return Row{}, false
}

// Shares returns each bucket's share of the section's aged total (the sum of
// the buckets, so that the shares add up to 100%).
func (s Section) Shares() []Rate {
	out := make([]Rate, len(s.Total.Buckets))
	for i, a := range s.Total.Buckets {
		out[i] = RateOf(int64(a), int64(s.Total.Outstanding()))
	}
	return out
}

// Report is the aged balance by client as of a date.
type Report struct {
	AsOf     time.Time
	Buckets  []Bucket
	Sections []Section // one per currency, ordered by currency code
	// ExcludeDisputed says the invoices in dispute were left out of the
	// buckets and totals (Options.ExcludeDisputed).
	ExcludeDisputed bool
}

// Consolidated tells whether the report spans several entities (a group):
// some section has subtotals, and the writers show each row's entity.
func (r Report) Consolidated() bool {
	for _, s := range r.Sections {
		if s.Subtotals != nil {
			return true
		}
	}
	return false
}

// TotalCode is the client code of each section's total row.
const TotalCode = "TOTAL"

// ClientAmount is one client's amount in a bucket (the by-bucket view).
type ClientAmount struct {
	ClientCode string
	ClientName string
	Amount     money.Amount
}

// BucketClients lists the clients with a non-zero amount in one bucket of
// one currency, largest amount first: the drill-down behind a bar of the
// chart.
type BucketClients struct {
	Currency string
	Bucket   Bucket
	Total    money.Amount
	Share    Rate // of the section's aged total
	Clients  []ClientAmount
}

// ByBucket regroups the report per currency and bucket.
func (r Report) ByBucket() []BucketClients {
	var out []BucketClients
	for _, s := range r.Sections {
		shares := s.Shares()
		for i, b := range r.Buckets {
			g := BucketClients{Currency: s.Currency, Bucket: b, Total: s.Total.Buckets[i], Share: shares[i]}
			for _, row := range s.Rows {
				if a := row.Buckets[i]; a != 0 {
					g.Clients = append(g.Clients, ClientAmount{row.ClientCode, row.ClientName, a})
				}
			}
			sort.SliceStable(g.Clients, func(x, y int) bool {
				if g.Clients[x].Amount != g.Clients[y].Amount {
					return g.Clients[x].Amount > g.Clients[y].Amount
				}
				return g.Clients[x].ClientCode < g.Clients[y].ClientCode
			})
			out = append(out, g)
		}
	}
	return out
}

// Item is one open item of the by-invoice view: an invoice, a credit note or
// the unallocated part of a payment, as it stood at the as-of date.
type Item struct {
	EntityCode  string
	ClientCode  string
	ClientName  string
	Kind        string // invoice, credit_note or payment
	Number      string // invoice number, or the payment's reference
	IssueDate   time.Time
	DueDate     *time.Time // nil for a payment
	Currency    string
	Amount      money.Amount // amount incl. VAT (the payment's amount)
	Open        money.Amount // open at the as-of date; ≤ 0 for unapplied credit
	DaysLate    *int         // nil for unapplied credit
	Bucket      string       // bucket name, or "unapplied"
	Disputed    bool         // a dispute was open at the as-of date
	PausedUntil *time.Time   // end of a promise to pay covering the as-of date
	NextStep    plans.Next   // from the NextStepper; no Step without one

	// What a NextStepper needs to foresee the item's next reminder step,
	// read in the same query as the item (no round trip per item).

	ClientProfile string // the client's explicit plan profile (client.profile); "" for none
	PayerScore    string // the client's payer score A–E; "" when not scored
	Country       string // the client's country, ISO code (FR by default)
	Segment       string // the client's segment; "" for none
	// ClientNet is the client's net balance at the as-of date: all its open
	// items (invoices and credit notes) minus its unapplied payments, in
	// every currency added together and whatever the scope filters, as the
	// daily sweep computes it to pick a profile and to stop reminding a
	// client whose credit covers its debt.
	ClientNet money.Amount
	// Ledger is, for an invoice, the reminder steps decided for it before
	// the as-of date and not dropped at send time, oldest first; empty for
	// credit notes and payments. A row decided on the as-of date itself is
	// that day's decision, not history (as for plans.Resolve).
	Ledger []LedgerStep
}

// LedgerStep is one reminder step recorded for an invoice and the day the
// sweep decided it (reminder.step_id and reminder.due_on).
type LedgerStep struct {
	StepID string
	Day    time.Time
}

// Unapplied is the Bucket value of an Item that is unapplied credit.
const Unapplied = "unapplied"

// NextStepper tells the next reminder step of an open item. It is the hook
// for the plans package: the aging report does not decide dunning itself.
// A nil NextStepper leaves the next_step column empty.
type NextStepper interface {
	NextStep(item Item) plans.Next
}

// nextStepCode writes a next step as the CSV and JSON carry it: "step_id
// YYYY-MM-DD" ("level3 2025-09-22"), "" for none.
func nextStepCode(n plans.Next) string {
	if n.Step == nil {
		return ""
	}
	return n.Step.ID + " " + n.Day.Format(time.DateOnly)
}

// nextStepLabel writes a next step for people in locale: in French the
// step's label and the day as dd/mm/yyyy ("relance 3 22/09/2025"), else as
// nextStepCode.
func nextStepLabel(n plans.Next, locale string) string {
	if n.Step == nil || locale != "fr" {
		return nextStepCode(n)
	}
	return n.Step.Label(locale) + " " + formatDate(n.Day, locale)
}
