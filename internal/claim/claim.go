package claim

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/templates"
)

// Claim is the claim to declare in one client's insolvency proceeding.
type Claim struct {
	Day        time.Time // the statement's date
	Client     string    // the debtor's code
	Creditor   templates.Party
	Debtor     templates.Party
	Contact    templates.Entity // how the creditor is reached
	Proceeding ledger.Insolvency
	RuleSet    string // the late-payment rules applied: FR, EU, DE or UK
	Items      []Item
	Totals     []Total // one per currency, in currency order
}

// Item is one invoice of the claim.
type Item struct {
	Number      string
	Issued, Due time.Time
	Currency    string
	Amount      money.Amount // the invoice, incl. VAT
	Principal   money.Amount // unpaid on the eve of the opening
	Interest    money.Amount // up to the day before the opening
	Indemnity   money.Amount
	Periods     []penalty.Period // the interest by half-year
	DaysLate    int              // at the opening (opened − due); ≤ 0 when not yet due then
}

// NotDue reports whether the invoice was not yet due at the opening (the
// judgment takes effect at the first hour of its day): a claim falling due
// later (à échoir).
func (it Item) NotDue() bool { return it.DaysLate <= 0 }

// Total is what the item claims: principal, interest and indemnity.
func (it Item) Total() money.Amount { return it.Principal + it.Interest + it.Indemnity }

// Total sums the items of one currency.
type Total struct {
	Currency                       string
	Principal, Interest, Indemnity money.Amount
	NotDue                         money.Amount // the part falling due later (à échoir)
}

// Sum is the amount to declare.
func (t Total) Sum() money.Amount { return t.Principal + t.Interest + t.Indemnity }

// Calculator computes an invoice's penalties under the debtor's rules
// (*penalty.Calculator is one).
type Calculator interface {
	Compute(d penalty.Debt, asOf time.Time) (penalty.Result, error)
	RuleSet() penalty.RuleSet
}

// Compute states the claim of debtor (whose proceeding has opened) from
// the items the ledger gives (ledger.Store.ClaimItems), under calc, on
// day. creditor and debtor are the parties as letters print them.
func Compute(day time.Time, code string, creditor, debtor templates.Party, contact templates.Entity,
	in ledger.Insolvency, items []ledger.ClaimItem, calc Calculator) (Claim, error) {
	c := Claim{Day: day, Client: code, Creditor: creditor, Debtor: debtor, Contact: contact, Proceeding: in,
		RuleSet: string(calc.RuleSet())}
	eve := in.Opened.AddDate(0, 0, -1)
	totals := map[string]*Total{}
	for _, li := range items {
		debt := penalty.Debt{Amount: li.Amount, DueDate: li.Due, FrozenFrom: in.Opened}
		for _, s := range li.Settlements {
			debt.Payments = append(debt.Payments, penalty.Payment{Day: s.Day, Amount: s.Amount})
		}
		res, err := calc.Compute(debt, eve)
		if err != nil {
			return c, fmt.Errorf("claim on %s: invoice %s: %w", code, li.Number, err)
		}
		it := Item{Number: li.Number, Issued: li.Issued, Due: li.Due, Currency: li.Currency, Amount: li.Amount,
			Principal: li.Unpaid, Interest: res.Interest, Indemnity: res.Indemnity, Periods: res.Periods,
			DaysLate: int(in.Opened.Sub(li.Due).Hours() / 24)}
		c.Items = append(c.Items, it)
		t := totals[it.Currency]
		if t == nil {
			t = &Total{Currency: it.Currency}
			totals[it.Currency] = t
		}
		t.Principal += it.Principal
		t.Interest += it.Interest
		t.Indemnity += it.Indemnity
		if it.NotDue() {
			t.NotDue += it.Principal
		}
	}
	for _, t := range totals {
		c.Totals = append(c.Totals, *t)
	}
	sort.Slice(c.Totals, func(i, j int) bool { return c.Totals[i].Currency < c.Totals[j].Currency })
	return c, nil
}

// Source is what Load reads (*ledger.Store is one).
type Source interface {
	ClaimItems(ctx context.Context, code string, day time.Time) (ledger.Client, []ledger.ClaimItem, error)
	Parties(ctx context.Context, clientID int64, day time.Time) (ledger.Entity, ledger.Client, error)
}

// Load states the claim on the client coded code as of day, under the
// rules the chooser gives the client's country.
func Load(ctx context.Context, src Source, rules *penalty.Chooser, code string, day time.Time) (Claim, error) {
	cl, items, err := src.ClaimItems(ctx, code, day)
	if err != nil {
		return Claim{}, err
	}
	e, _, err := src.Parties(ctx, cl.ID, day)
	if err != nil {
		return Claim{}, err
	}
	creditor := templates.Party{Name: e.Name, Address: e.Address.Lines(e.Country, e.Country, "fr"),
		SIREN: ledger.FormatSIREN(e.SIREN), VAT: e.VAT}
	debtor := templates.Party{Name: cl.Name, Address: cl.Address.Lines(cl.Country, e.Country, "fr"),
		SIREN: ledger.FormatSIREN(cl.SIREN), VAT: cl.VAT}
	contact := templates.Entity{Locale: e.Locale, Email: e.Email, Phone: e.Phone}
	return Compute(day, cl.Code, creditor, debtor, contact, cl.Insolvency, items, rules.For(cl.Country))
}
