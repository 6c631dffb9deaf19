// Package penalty computes statutory late-payment penalties: interest at a
// reference rate plus a margin, and the fixed recovery indemnity, under the
// French (FR), EU-directive (EU), German (DE) or UK rule set.
//
// Interest is simple, actual/365, on the amount incl. VAT still due, for each
// day from the day after the due date to the as-of date inclusive. The amount
// still due on a day is the amount less the payments dated before that day:
// money paid on day P was P − due days late. The sum is kept exact (big.Rat)
// and rounded half-up to the cent once, at the end; each period (a
// half-year, cut again at a payment) carries its rate, its days and its share
// of that total.
//
// The reference rates are effective-dated tables (rates.yaml) with their
// sources. A half-year whose reference rate a table does not hold yet is
// priced at the last known rate, but not silently: Calculator.Gaps reports
// it, for `relance rates`, `serve` and `plan check` to warn.
package penalty

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
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
	legalTable := c.rates.tables[FRLegal]
	if legalTable == nil || len(legalTable.steps) == 0 {
		return fmt.Errorf("penalty: contractual rate under FR: the rate table has no %s entries to check it against", FRLegal)
	}
	var worst *FloorError
	for h := halfYearStart(legalTable.steps[0].from); !h.After(halfYearStart(through)); h = h.AddDate(0, 6, 0) {
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

// Period is a run of days with one amount due and one rate: a half-year, or
// the part of one before or after a payment.
type Period struct {
	From, To  time.Time    // inclusive
	Days      int          // To − From + 1
	Principal money.Amount // amount due on those days
	RateBP    int          // annual rate in basis points
	// Interest is this period's share of Result.Interest: the periods' exact
	// interests rounded down to the cent, the cents left over going to the
	// largest remainders (the earliest on a tie), so that they add up to the
	// total exactly.
	Interest money.Amount
}

// Result is the penalty of one debt as of a day.
type Result struct {
	Interest  money.Amount // rounded half-up to the cent, once, on the exact sum
	Indemnity money.Amount // the fixed recovery indemnity (0 when nothing is late)
	Periods   []Period     // oldest first
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
		// Fixed for the life of the debt: the rate of the half-year in which
		// interest starts.
		b, err := c.Basis(first)
		if err != nil {
			return res, err
		}
		ukRate = b.RateBP
	}
	var exact []*big.Rat // each period's interest in cents
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
		rate, err := c.rate(from, ukRate)
		if err != nil {
			return res, err
		}
		days := int(to.Sub(from).Hours()/24) + 1
		res.Periods = append(res.Periods, Period{From: from, To: to, Days: days, Principal: principal, RateBP: rate})
		// cents × bp × days / (10000 × 365)
		term := new(big.Int).Mul(big.NewInt(int64(principal)), big.NewInt(int64(rate)))
		term.Mul(term, big.NewInt(int64(days)))
		exact = append(exact, new(big.Rat).SetFrac(term, big.NewInt(10000*365)))
		from = to.AddDate(0, 0, 1)
	}
	res.Interest = apportion(exact, res.Periods)
	res.Indemnity = c.indemnity(d.Amount)
	return res, nil
}

// rate is the annual rate of the half-year containing day: the contractual
// rate (checked against the French floor), the UK rate fixed for the debt,
// or the statutory rate of the half-year.
func (c *Calculator) rate(day time.Time, ukRate int) (int, error) {
	switch {
	case c.hasContract:
		if c.rules == FR {
			legal, err := c.legal(day)
			if err != nil {
				return 0, err
			}
			if c.contractual < 3*legal {
				return 0, fmt.Errorf("penalty: %w", &FloorError{RateBP: c.contractual, LegalBP: legal, HalfYear: halfYearStart(day)})
			}
		}
		return c.contractual, nil
	case c.rules == UK:
		return ukRate, nil
	}
	b, err := c.Basis(day)
	return b.RateBP, err
}

// apportion sets each period's Interest from the exact amounts and returns
// their total, rounded half-up once: every period gets its exact interest
// rounded down, and the cents the total has over their sum go one each to
// the largest remainders.
func apportion(exact []*big.Rat, periods []Period) money.Amount {
	sum := new(big.Rat)
	for _, x := range exact {
		sum.Add(sum, x)
	}
	total := roundHalfUp(sum)
	left := total
	rems := make([]*big.Rat, len(exact))
	for i, x := range exact {
		floor := new(big.Int).Quo(x.Num(), x.Denom()) // x ≥ 0: truncation is the floor
		periods[i].Interest = money.Amount(floor.Int64())
		left -= periods[i].Interest
		rems[i] = new(big.Rat).Sub(x, new(big.Rat).SetInt(floor))
	}
	order := make([]int, len(exact))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]].Cmp(rems[order[b]]) > 0 })
	for _, i := range order {
		if left <= 0 {
			break
		}
		periods[i].Interest++
		left--
	}
	return total
}

// Basis says how a statutory rate is made: a reference rate taken on a day,
// plus a margin.
type Basis struct {
	Rules    RuleSet
	Table    string    // the reference table
	Day      time.Time // the rate of Table in force on this day is the reference
	RefBP    int       // that rate
	MarginBP int
	RateBP   int // RefBP + MarginBP
}

// Basis returns the statutory rate of the half-year containing day under
// the calculator's rule set. Under UK rules it is the rate of a debt whose
// interest starts in that half-year, which keeps it for its whole life.
func (c *Calculator) Basis(day time.Time) (Basis, error) {
	b := Basis{Rules: c.rules, Day: halfYearStart(day)}
	switch c.rules {
	case FR:
		b.Table, b.MarginBP = ECBMainRefinancing, 1000
	case EU:
		b.Table, b.MarginBP = ECBMainRefinancing, 800
	case DE:
		b.Table, b.MarginBP = DEBase, 900
	case UK:
		// The rate on 31 December or 30 June before the half-year.
		b.Table, b.MarginBP, b.Day = UKBankRate, 800, b.Day.AddDate(0, 0, -1)
	}
	bp, err := c.rates.On(b.Table, b.Day)
	if err != nil {
		return b, fmt.Errorf("penalty: %w", err)
	}
	b.RefBP, b.RateBP = bp, bp+b.MarginBP
	return b, nil
}

// Floor returns the lowest contractual rate French law allows in the
// half-year containing day: 3 × the legal interest rate (C. com. L441-10).
func (c *Calculator) Floor(day time.Time) (int, error) {
	legal, err := c.legal(day)
	if err != nil {
		return 0, err
	}
	return 3 * legal, nil
}

// legal is the French legal interest rate of the half-year containing day.
func (c *Calculator) legal(day time.Time) (int, error) {
	legal, err := c.rates.On(FRLegal, halfYearStart(day))
	if err != nil {
		return 0, fmt.Errorf("penalty: %w", err)
	}
	return legal, nil
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
