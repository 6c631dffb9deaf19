package templates

import (
	"time"

	"github.com/relance/relance/internal/money"
)

// Message is everything a template may show. The consumer (the send worker)
// fills it; templates only format it and never compute amounts.
//
// All the invoices of one Message share one currency: Totals.Currency. A
// client owing in two currencies gets one Message per currency.
type Message struct {
	Entity   Entity    // the creditor: who sends
	Client   Client    // the debtor: who receives
	Day      time.Time // date of sending, a clock date (00:00 UTC)
	Step     Step      // the highest step due that day; its template is rendered
	Invoices []Invoice // every invoice that reached a step that day, in display order
	Totals   Totals    // sums over Invoices; see TotalsOf

	// PenaltyRate is the late-payment interest rate applied, in hundredths
	// of a percent (basis points): 1215 is 12.15 %. Templates show it with
	// the percent function, which writes "12,15 %" in fr and "12.15%" in en.
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
	// Deadline is the payment deadline of a formal notice, customarily
	// Day + 8 days. Other templates ignore it.
	Deadline time.Time
}

// Entity is the creditor company and the legal details a reminder must carry.
type Entity struct {
	Name    string   // company name, e.g. "Atelier Durand SAS"
	Locale  string   // the entity's locale, the fallback when the client's has no template
	Address []string // postal address, one line per element
	SIREN   string   // French company number, e.g. "123 456 789"; empty if none
	VAT     string   // intra-community VAT number; empty if none
	Contact string   // person or department to contact, e.g. "Service comptabilité"
	Email   string   // contact email
	Phone   string   // contact phone
	IBAN    string   // shown for payment by transfer when not empty
	BIC     string   // shown next to the IBAN when not empty
}

// Client is the debtor.
type Client struct {
	Code    string   // the client's account code in the ledger
	Name    string   // company name, shown as is (HTML bodies escape it)
	Locale  string   // preferred locale; empty: the entity's
	Address []string // postal address, one line per element (used by the letter)
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
