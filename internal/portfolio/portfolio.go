// Package portfolio generates a realistic, reproducible French B2B
// receivables portfolio: clients with their legal identity, the open items
// their ERP would export at an as-of date, the dated payments received on
// them, and a few disputes. `relance demo` fills its database from it and the
// benchmarks import a million of its rows.
//
// Everything is drawn from math/rand/v2 PCG generators seeded from
// Options.Seed: client i has its own generator, so a client's items do not
// depend on how many clients follow it, and the whole portfolio streams
// client by client in memory bounded by the largest client. The same Options
// give byte-identical files on every machine: only integer arithmetic decides
// what is written.
package portfolio

import (
	"iter"
	"math/rand/v2"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
)

// Options say what to generate.
type Options struct {
	// Clients is the number of clients (at least 1). Each has at least one
	// open item when Invoices ≥ Clients; otherwise some have none and appear
	// in no file.
	Clients int
	// Invoices is the exact number of open items (invoices and credit notes)
	// in the portfolio, hence of rows in the invoices CSV.
	Invoices int
	// Seed selects the portfolio; the same seed gives the same bytes.
	Seed uint64
	// AsOf is the date at which the items are open (a date, 00:00 UTC). Zero
	// means DefaultAsOf(), never the clock, so that a run is reproducible.
	AsOf time.Time
}

// DefaultAsOf is the as-of date used when Options.AsOf is zero: 2025-09-12,
// the date of the example portfolio in examples/.
func DefaultAsOf() time.Time { return clock.Date(2025, time.September, 12) }

// PayerType is how a client pays; it decides which of its invoices are still
// open at the as-of date and how late they are.
type PayerType int

const (
	// OnTime pays around the due date; its open items are mostly not due.
	OnTime PayerType = iota
	// SlightlyLate pays one to three weeks after the due date.
	SlightlyLate
	// ChronicLate pays one to four months late and leaves more items open.
	ChronicLate
	// Failing stopped paying a few months before the as-of date: everything
	// issued since is open, and older items were paid very late, a quarter
	// of them never.
	Failing
)

// String returns the payer type's name in snake case.
func (p PayerType) String() string {
	switch p {
	case OnTime:
		return "on_time"
	case SlightlyLate:
		return "slightly_late"
	case ChronicLate:
		return "chronic_late"
	case Failing:
		return "failing"
	}
	return "unknown"
}

// Client is a customer with its legal identity and how it pays.
type Client struct {
	// Code is the client's account in the ERP, e.g. "C000042".
	Code string
	// Name is the company name with its legal form, e.g. "Transports Lefèvre SAS".
	Name string
	// SIREN is the nine-digit French company number, with a valid Luhn check
	// digit; empty for foreign clients, which have none.
	SIREN string
	// Street is the street line ("12 bis rue Pasteur"), Postcode and City a
	// real pair, Country an ISO 3166 code ("FR").
	Street, Postcode, City, Country string
	// Email is the accounts-payable address reminders go to.
	Email string
	// Locale is "fr", or "en" for foreign clients.
	Locale string
	// Profile is the reminder plan profile: "standard", "key_account" or "risky".
	Profile string
	// Payer is the payment behaviour the client's items were drawn from.
	Payer PayerType
	// Terms are the client's payment terms as the ERP writes them:
	// "30 jours", "45 FDM" or "60 jours".
	Terms string
}

// Kind says whether an item is an invoice or a credit note.
type Kind int

const (
	// Invoice is a positive receivable.
	Invoice Kind = iota
	// CreditNote (avoir) is negative and reduces the invoice it applies to.
	CreditNote
)

// Item is an open invoice or credit note at the as-of date, as one row of the
// invoices CSV.
type Item struct {
	Number string
	Kind   Kind
	// Issue and Due are dates; Due is Terms applied to Issue with the default
	// end-of-month method. Credit notes are due on issue ("comptant").
	Issue, Due time.Time
	Terms      string
	// AmountInclVAT is negative for a credit note; AmountExclVAT is it
	// divided by 1.2 (French standard VAT) rounded to the cent.
	AmountInclVAT, AmountExclVAT money.Amount
	// Paid is what the client already paid on the invoice (partial payments),
	// always less than AmountInclVAT; zero for credit notes.
	Paid money.Amount
	// AppliesTo is, for a credit note, the number of the invoice it reduces.
	AppliesTo string
}

// Currency is the currency of every amount of the portfolio.
const Currency = "EUR"

// Payment is money received on an open invoice before the as-of date. The
// payments of an invoice add up to its Item.Paid.
type Payment struct {
	Invoice   string
	Date      time.Time
	Amount    money.Amount
	Reference string
}

// Dispute (litige) is a disagreement the client raised on an open invoice;
// it pauses dunning of that invoice. The import contract has no column for
// it, so the demo records disputes through internal/ledger.
type Dispute struct {
	Invoice string
	Reason  string // a reason code of the default configuration: price, quantity, quality, delivery, billing
	Note    string // what the client said
	Opened  time.Time
}

// Account is one client with everything the portfolio holds for it.
type Account struct {
	Client   Client
	Items    []Item
	Payments []Payment
	Disputes []Dispute
}

// Portfolio is a generated portfolio. It holds only how many items each
// client has; the clients and items themselves are drawn again, identically,
// each time they are read, so that a million items never sit in memory.
type Portfolio struct {
	opts        Options
	counts      []int32
	sirenOffset uint64
}

// Generate prepares the portfolio described by o. Clients below 1 count as 1
// and negative Invoices as 0 (the CLI rejects both before getting here).
func Generate(o Options) *Portfolio {
	o.Clients = max(o.Clients, 1)
	o.Invoices = max(o.Invoices, 0)
	if o.AsOf.IsZero() {
		o.AsOf = DefaultAsOf()
	}
	o.AsOf = clock.Date(o.AsOf.Date())
	return &Portfolio{
		opts:        o,
		counts:      itemCounts(o),
		sirenOffset: rand.New(rand.NewPCG(o.Seed, 0x736972656e)).Uint64N(sirenBodies), // "siren"
	}
}

// Options returns the options the portfolio was generated with, defaults
// applied.
func (p *Portfolio) Options() Options { return p.opts }

// itemCounts shares Invoices among the clients with a skewed integer weight
// per client, as real ledgers have many small accounts and a few big ones.
// Integer arithmetic keeps it identical on every platform.
func itemCounts(o Options) []int32 {
	r := rand.New(rand.NewPCG(o.Seed, 0x636f756e7473)) // "counts"
	weights := make([]int64, o.Clients)
	var total int64
	for i := range weights {
		var w int64
		switch n := r.IntN(100); {
		case n < 70:
			w = 1 + r.Int64N(4)
		case n < 95:
			w = 5 + r.Int64N(8)
		default:
			w = 13 + r.Int64N(28)
		}
		weights[i] = w
		total += w
	}
	// Every client gets one item when there are enough, so that --clients N
	// shows N clients; the rest goes by weight.
	var base int32
	m := int64(o.Invoices)
	if m >= int64(o.Clients) {
		base, m = 1, m-int64(o.Clients)
	}
	counts := make([]int32, o.Clients)
	var cum, given int64
	for i, w := range weights {
		cum += w
		upTo := m * cum / total
		counts[i] = base + int32(upTo-given)
		given = upTo
	}
	return counts
}

// Accounts yields every client in code order with its open items, their
// payments and disputes. Each Account is freshly allocated and may be kept.
func (p *Portfolio) Accounts() iter.Seq[Account] {
	return func(yield func(Account) bool) {
		next := 1 // number of the next item, across clients
		for i, n := range p.counts {
			acc := p.account(i, int(n), next)
			next += int(n)
			if !yield(acc) {
				return
			}
		}
	}
}

// Clients yields every client in code order, with or without open items.
func (p *Portfolio) Clients() iter.Seq[Client] {
	return func(yield func(Client) bool) {
		for acc := range p.Accounts() {
			if !yield(acc.Client) {
				return
			}
		}
	}
}

// Disputes returns every dispute of the portfolio, in client then invoice
// order.
func (p *Portfolio) Disputes() []Dispute {
	var out []Dispute
	for acc := range p.Accounts() {
		out = append(out, acc.Disputes...)
	}
	return out
}
