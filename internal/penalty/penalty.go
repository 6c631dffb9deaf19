// Package penalty computes statutory late-payment penalties: interest at a
// reference rate plus a margin, and the fixed recovery indemnity, under the
// French (FR), EU-directive (EU), German (DE) or UK rule set.
//
// Interest is simple, actual/365, on the amount incl. VAT still due, for each
// day from the day after the due date to the as-of date inclusive. The amount
// still due on a day is the amount less the payments dated before that day:
// money paid on day P was P − due days late. The sum is kept exact (big.Rat)
// and rounded half-up to the cent once, at the end.
package penalty

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/relance/relance/internal/money"
)

// ErrBelowFloor is returned when a French contractual rate is below three
// times the legal interest rate of a half-year it applies to (C. com. L441-10).
var ErrBelowFloor = errors.New("contractual rate below 3 × the legal interest rate")

// FloorError says which half-year's floor a French contractual rate misses.
// It matches ErrBelowFloor with errors.Is.
type FloorError struct {
	RateBP   int       // the contractual rate
	LegalBP  int       // the legal interest rate of the half-year
	HalfYear time.Time // 1 January or 1 July
}

// FloorBP is the floor: three times the legal interest rate.
func (e *FloorError) FloorBP() int { return 3 * e.LegalBP }

func (e *FloorError) Error() string {
	return fmt.Sprintf("contractual rate %s%% is below the statutory floor of %s%% (3 × the legal interest rate of %s%%) in the half-year from %s (C. com. L441-10)",
		formatBP(e.RateBP), formatBP(e.FloorBP()), formatBP(e.LegalBP), e.HalfYear.Format(time.DateOnly))
}

// Is makes errors.Is(err, ErrBelowFloor) hold.
func (e *FloorError) Is(target error) bool { return target == ErrBelowFloor }

// RuleSet names a body of rules: FR, EU, DE or UK.
type RuleSet string

// The rule sets.
const (
	FR RuleSet = "FR"
	EU RuleSet = "EU"
	DE RuleSet = "DE"
	UK RuleSet = "UK"
)

// Calculator computes penalties under one rule set.
type Calculator struct {
	rules       RuleSet
	rates       *Rates
	contractual int  // basis points, when hasContract
	hasContract bool // a contractual rate replaces the statutory one
}

// New returns a calculator for ruleSet with rates. contractualRate ("12.5%";
// empty for none) replaces the statutory rate for every day; under FR it must
// be at least 3 × the legal interest rate of each half-year, which Compute
// checks (the floor moves every half-year).
func New(ruleSet string, rates *Rates, contractualRate string) (*Calculator, error) {
	c := &Calculator{rules: RuleSet(ruleSet), rates: rates}
	switch c.rules {
	case FR, EU, DE, UK:
	default:
		return nil, fmt.Errorf("penalty: unknown rule set %q (want FR, EU, DE or UK)", ruleSet)
	}
	if rates == nil {
		return nil, errors.New("penalty: no rate table")
	}
	if contractualRate != "" {
		bp, err := parseBP(contractualRate)
		if err != nil || bp <= 0 {
			return nil, fmt.Errorf("penalty: contractual rate %q: want a positive percentage", contractualRate)
		}
		c.contractual, c.hasContract = bp, true
	}
	return c, nil
}

// CheckFloor checks a French contractual rate against the floor of every
// half-year from the first one the legal-rate table knows through the
// half-year of through (today): a debt may span any of them, and a rate
// below one floor would make every message stating penalties for such a
// debt fail. The error is a *FloorError naming the highest floor missed.
// Without a contractual rate, or under another rule set, it returns nil.
func (c *Calculator) CheckFloor(through time.Time) error {
	if !c.hasContract || c.rules != FR {
		return nil
	}
	steps := c.rates.tables[FRLegal]
	if len(steps) == 0 {
		return fmt.Errorf("penalty: contractual rate under FR: the rate table has no %s entries to check it against", FRLegal)
	}
	var worst *FloorError
	for h := halfYearStart(steps[0].from); !h.After(halfYearStart(through)); h = h.AddDate(0, 6, 0) {
		legal, err := c.rates.On(FRLegal, h)
		if err != nil {
			continue // the table starts inside this half-year
		}
		if c.contractual < 3*legal && (worst == nil || legal > worst.LegalBP) {
			worst = &FloorError{RateBP: c.contractual, LegalBP: legal, HalfYear: h}
		}
	}
	if worst != nil {
		return fmt.Errorf("penalty: %w", worst)
	}
	return nil
}

// Payment is an amount settled on a day (a payment, a credit note…).
type Payment struct {
	Day    time.Time
	Amount money.Amount
}

// Debt is one late invoice.
type Debt struct {
	Amount   money.Amount // incl. VAT
	DueDate  time.Time
	Payments []Payment // settlements, any order; those after the as-of date are ignored
	// FrozenFrom stops accrual from this day on (the opening of an
	// insolvency proceeding); zero for none.
	FrozenFrom time.Time
}

// Period is a run of days with one amount due and one rate.
type Period struct {
	From, To  time.Time    // inclusive
	Days      int          // To − From + 1
	Principal money.Amount // amount due on those days
	RateBP    int          // annual rate in basis points
}

// Result is the penalty of one debt as of a day.
type Result struct {
	Interest  money.Amount // rounded half-up to the cent
	Indemnity money.Amount // the fixed recovery indemnity (0 when nothing is late)
	Periods   []Period
}

// Total is interest plus indemnity.
func (r Result) Total() money.Amount { return r.Interest + r.Indemnity }

// Compute returns the penalties of d as of asOf.
func (c *Calculator) Compute(d Debt, asOf time.Time) (Result, error) {
	var res Result
	last := asOf
	if !d.FrozenFrom.IsZero() && d.FrozenFrom.AddDate(0, 0, -1).Before(last) {
		last = d.FrozenFrom.AddDate(0, 0, -1)
	}
	first := d.DueDate.AddDate(0, 0, 1)
	if last.Before(first) || d.Amount <= 0 {
		return res, nil
	}
	var ukRate int
	if c.rules == UK && !c.hasContract {
		// Fixed for the life of the debt: the reference rate on 31 December
		// or 30 June before the half-year in which interest starts.
		ref := halfYearStart(first).AddDate(0, 0, -1)
		bp, err := c.rates.On(UKBankRate, ref)
		if err != nil {
			return res, fmt.Errorf("penalty: %w", err)
		}
		ukRate = bp + 800
	}
	sum := new(big.Rat)
	for from := first; !from.After(last); {
		// A period ends before the next half-year, the day a payment takes
		// effect, or at the last day.
		to := halfYearStart(from).AddDate(0, 6, -1)
		if to.After(last) {
			to = last
		}
		principal := d.Amount
		for _, p := range d.Payments {
			if p.Day.Before(from) {
				principal -= p.Amount
			} else if p.Day.Before(to) && !p.Day.Before(from) {
				// Paid on p.Day: still due on p.Day itself, not after.
				to = p.Day
			}
		}
		if principal <= 0 {
			break
		}
		rate := ukRate
		switch {
		case c.hasContract:
			rate = c.contractual
			if c.rules == FR {
				legal, err := c.rates.On(FRLegal, halfYearStart(from))
				if err != nil {
					return res, fmt.Errorf("penalty: %w", err)
				}
				if rate < 3*legal {
					return res, fmt.Errorf("penalty: %w", &FloorError{RateBP: rate, LegalBP: legal, HalfYear: halfYearStart(from)})
				}
			}
		case c.rules != UK:
			var err error
			if rate, err = c.statutory(from); err != nil {
				return res, err
			}
		}
		days := int(to.Sub(from).Hours()/24) + 1
		res.Periods = append(res.Periods, Period{From: from, To: to, Days: days, Principal: principal, RateBP: rate})
		// cents × bp × days / (10000 × 365)
		term := new(big.Int).Mul(big.NewInt(int64(principal)), big.NewInt(int64(rate)))
		term.Mul(term, big.NewInt(int64(days)))
		sum.Add(sum, new(big.Rat).SetFrac(term, big.NewInt(10000*365)))
		from = to.AddDate(0, 0, 1)
	}
	res.Interest = roundHalfUp(sum)
	res.Indemnity = c.indemnity(d.Amount)
	return res, nil
}

// statutory is the statutory rate for the half-year containing day.
func (c *Calculator) statutory(day time.Time) (int, error) {
	var table string
	var margin int
	switch c.rules {
	case FR:
		table, margin = ECBMainRefinancing, 1000
	case EU:
		table, margin = ECBMainRefinancing, 800
	case DE:
		table, margin = DEBase, 900
	}
	bp, err := c.rates.On(table, halfYearStart(day))
	if err != nil {
		return 0, fmt.Errorf("penalty: %w", err)
	}
	return bp + margin, nil
}

// indemnity is the fixed recovery compensation: €40 per invoice (FR, EU, DE);
// in the UK £40 for a debt under £1,000, £70 under £10,000, £100 from £10,000
// (the debt being the invoice amount incl. VAT).
func (c *Calculator) indemnity(amount money.Amount) money.Amount {
	if c.rules != UK {
		return 4000
	}
	switch {
	case amount < 100_000:
		return 4000
	case amount < 1_000_000:
		return 7000
	}
	return 10000
}

// halfYearStart is 1 January or 1 July of d's half-year.
func halfYearStart(d time.Time) time.Time {
	m := time.January
	if d.Month() >= time.July {
		m = time.July
	}
	return time.Date(d.Year(), m, 1, 0, 0, 0, 0, time.UTC)
}

// roundHalfUp rounds a non-negative number of cents to the nearest cent,
// halves up.
func roundHalfUp(r *big.Rat) money.Amount {
	num := new(big.Int).Mul(r.Num(), big.NewInt(2))
	num.Add(num, r.Denom())
	den := new(big.Int).Mul(r.Denom(), big.NewInt(2))
	return money.Amount(new(big.Int).Quo(num, den).Int64())
}

func formatBP(bp int) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	return fmt.Sprintf("%s%d.%02d", sign, bp/100, bp%100)
}
