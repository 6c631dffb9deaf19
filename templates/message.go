package templates

import (
	"sort"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
)

// Message is everything a template may show. The consumer (the send worker)
// fills it; templates only format it and never compute amounts.
//
// All the invoices of one Message share one currency: Totals.Currency. A
// client owing in two currencies gets one Message per currency.
type Message struct {
	// Creditor and Debtor are the parties, who claims and who owes: name,
	// postal address and company identifiers. They are the one place a
	// party's identity lives; Entity and Client hold the rest.
	Creditor Party
	Debtor   Party
	Entity   Entity    // the creditor's locale, contacts and bank details
	Client   Client    // the debtor's account and locale
	Day      time.Time // date of sending, a clock date (00:00 UTC)
	Step     Step      // the highest step due that day; its template is rendered
	Invoices []Invoice // every invoice that reached a step that day, in display order
	Totals   Totals    // sums over Invoices; see TotalsOf

	// PenaltyRate is the late-payment interest rate in force on Day, in
	// hundredths of a percent (basis points): 1215 is 12.15 %. The shipped
	// templates quote RateSpans instead, since a delay spanning half-years
	// ran at several rates; it serves a message without interest periods.
	// The percent function writes "12,15 %" in fr and "12.15%" in en.
	PenaltyRate int
	// RuleSet names the law the penalties follow, which the templates cite:
	// FR (C. com. L441-10, the default when empty), EU (directive
	// 2011/7/EU), DE (§ 288 BGB) or UK (Late Payment of Commercial Debts
	// (Interest) Act 1998).
	RuleSet string
	// Penalties is true when the step shows late penalties (the plan's
	// `penalties: true`, level 3 and above): Interest and Indemnity are then
	// meaningful and the templates mention them.
	Penalties bool
	// Deadline is the payment deadline of a formal notice, Day +
	// letters.deadline_days (8 by default). Other templates ignore it.
	Deadline time.Time
	// Oversight is true while the delay is recent (the oldest overdue
	// invoice at most templates.oversight_days late): a first reminder may
	// then call it a probable oversight. Past that age, the first message is
	// a plain statement of the overdue items.
	Oversight bool
}

// Party is one side of the claim, as a message or a letter names it.
type Party struct {
	Name    string   // company name, e.g. "Atelier Durand SAS", shown as is (HTML bodies escape it)
	Address []string // postal address, one line per element
	SIREN   string   // French company number, e.g. "123 456 789"; empty if none
	VAT     string   // intra-community VAT number; empty if none
}

// Entity is how the creditor is reached and paid; its identity is
// Message.Creditor.
type Entity struct {
	Locale  string // the entity's locale, the fallback when the client's has no template
	Contact string // person or department to contact, e.g. "Service comptabilité"
	Email   string // contact email
	Phone   string // contact phone
	IBAN    string // shown for payment by transfer when not empty
	BIC     string // shown next to the IBAN when not empty
}

// Client is the debtor's account; its identity is Message.Debtor.
type Client struct {
	Code   string // the client's account code in the ledger
	Locale string // preferred locale; empty: the entity's
}

// Step is the plan step being sent.
type Step struct {
	ID       string // step id in the plan, e.g. "level3"
	Level    int    // 0 for the pre-due notice, 1–5 for the ladder
	Template string // template name, e.g. "level3"
}

// Invoice is one invoice listed in the message.
type Invoice struct {
	Number      string
	IssueDate   time.Time
	DueDate     time.Time
	DaysLate    int          // Day − DueDate; negative before the due date
	Currency    string       // ISO 4217 code, e.g. "EUR"
	Amount      money.Amount // amount incl. VAT
	Outstanding money.Amount // what remains to be paid on the invoice itself
	Interest    money.Amount // late-payment interest accrued up to Day
	Indemnity   money.Amount // fixed recovery-cost compensation (€40 in France)
	PaymentLink string       // URL to pay this invoice online; empty if none
	// Periods break Interest down by half-year (and by payment within
	// one), each with its rate, days and share of the interest, oldest
	// first; they add up to Interest. Empty when no penalties are stated.
	Periods []penalty.Period
}

// Totals sums the invoices of a Message.
type Totals struct {
	Currency    string
	Outstanding money.Amount
	Interest    money.Amount
	Indemnity   money.Amount
	Due         money.Amount // Outstanding + Interest + Indemnity
}

// TotalsOf sums invoices. The currency is the first invoice's; Due includes
// Interest and Indemnity, so a consumer that does not claim penalties leaves
// them at zero on the invoices.
func TotalsOf(invoices []Invoice) Totals {
	var t Totals
	for i, inv := range invoices {
		if i == 0 {
			t.Currency = inv.Currency
		}
		t.Outstanding += inv.Outstanding
		t.Interest += inv.Interest
		t.Indemnity += inv.Indemnity
	}
	t.Due = t.Outstanding + t.Interest + t.Indemnity
	return t
}

// IndemnityEach returns the fixed indemnity claimed per invoice when it is
// the same for every invoice (the French €40), else zero, so that a template
// can write "40 € par facture" only when it is true.
func (m Message) IndemnityEach() money.Amount {
	if len(m.Invoices) == 0 {
		return 0
	}
	each := m.Invoices[0].Indemnity
	for _, inv := range m.Invoices[1:] {
		if inv.Indemnity != each {
			return 0
		}
	}
	return each
}

// PaymentLinks reports whether at least one invoice has a payment link.
func (m Message) PaymentLinks() bool {
	for _, inv := range m.Invoices {
		if inv.PaymentLink != "" {
			return true
		}
	}
	return false
}

// Overdue returns the invoices past their due date, in display order.
func (m Message) Overdue() []Invoice {
	var out []Invoice
	for _, inv := range m.Invoices {
		if inv.DaysLate > 0 {
			out = append(out, inv)
		}
	}
	return out
}

// NotYetDue returns the invoices not yet due (a pre-due notice, or a
// pre-due item merged into a reminder of the same day), in display order.
func (m Message) NotYetDue() []Invoice {
	var out []Invoice
	for _, inv := range m.Invoices {
		if inv.DaysLate <= 0 {
			out = append(out, inv)
		}
	}
	return out
}

// Claim returns the sums a message asks to pay now: those of the overdue
// invoices when it lists any, else those of every invoice (a pre-due
// notice). An invoice not yet due never swells a reminder's claim.
func (m Message) Claim() Totals {
	if overdue := m.Overdue(); len(overdue) > 0 {
		return withCurrency(TotalsOf(overdue), m.Totals.Currency)
	}
	return m.Totals
}

// NotYetDueTotals returns the sums of the invoices not yet due.
func (m Message) NotYetDueTotals() Totals {
	return withCurrency(TotalsOf(m.NotYetDue()), m.Totals.Currency)
}

func withCurrency(t Totals, currency string) Totals {
	if currency != "" {
		t.Currency = currency
	}
	return t
}

// DeadlineDays returns the days from Day to Deadline.
func (m Message) DeadlineDays() int { return clock.DaysBetween(m.Day, m.Deadline) }

// RateSpan is a run of half-years under one late-payment rate.
type RateSpan struct {
	From, To time.Time // first day of its first half-year, last day of its last
	RateBP   int
	Ongoing  bool // the span includes Day: the rate still runs
}

// RateSpans returns the late-payment rates of the message's invoices,
// half-year after half-year, consecutive half-years with the same rate
// merged: one span when one rate applies throughout. It returns nil when no
// interest period is stated, or when RatesPerInvoice.
func (m Message) RateSpans() []RateSpan {
	byHalf, mixed := m.ratesByHalfYear()
	if mixed {
		return nil
	}
	halves := make([]time.Time, 0, len(byHalf))
	for h := range byHalf {
		halves = append(halves, h)
	}
	sort.Slice(halves, func(i, j int) bool { return halves[i].Before(halves[j]) })
	var spans []RateSpan
	for _, h := range halves {
		_, end := penalty.HalfYear(h)
		if n := len(spans); n > 0 && spans[n-1].RateBP == byHalf[h] && spans[n-1].To.AddDate(0, 0, 1).Equal(h) {
			spans[n-1].To = end
		} else {
			spans = append(spans, RateSpan{From: h, To: end, RateBP: byHalf[h]})
		}
	}
	if n := len(spans); n > 0 && !m.Day.After(spans[n-1].To) && !m.Day.Before(spans[n-1].From) {
		spans[n-1].Ongoing = true
	}
	return spans
}

// RatesPerInvoice reports whether one half-year has several rates (UK rates
// are fixed per debt): a template then refers to each invoice's rates.
func (m Message) RatesPerInvoice() bool {
	_, mixed := m.ratesByHalfYear()
	return mixed
}

// ratesByHalfYear maps each half-year of the interest periods to its rate;
// mixed is true when a half-year has more than one.
func (m Message) ratesByHalfYear() (rates map[time.Time]int, mixed bool) {
	rates = map[time.Time]int{}
	for _, inv := range m.Invoices {
		for _, p := range inv.Periods {
			h, _ := penalty.HalfYear(p.From)
			if rate, seen := rates[h]; seen && rate != p.RateBP {
				return nil, true
			}
			rates[h] = p.RateBP
		}
	}
	return rates, false
}
