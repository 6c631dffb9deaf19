package aging

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

var (
	//go:embed sql/recovery_rate.sql
	recoveryRateSQL string
	//go:embed sql/recovery_phase.sql
	recoveryPhaseSQL string
	//go:embed sql/recovery_costs.sql
	recoveryCostsSQL string
	//go:embed sql/promises_kept.sql
	promisesKeptSQL string
	//go:embed sql/disputes_time.sql
	disputesTimeSQL string
)

// Recovery are the recovery KPIs of one currency over the KPI window
// (docs/kpi.md gives each definition with a worked example).
type Recovery struct {
	// Due is what was due over the window: for every invoice falling due by
	// the as-of date, what remained open the day before the window (its
	// amount, for one issued in it) less the credit notes and write-offs
	// applied to it in the window. Collected is what payments, imported
	// settlements and snapshot closures settled of those invoices in the
	// window. Rate = Collected ÷ Due.
	Due, Collected money.Amount
	Rate           Rate
	// Amicable and Legal split what was collected in the window on invoices
	// past their due date: Legal while a case held the invoice (after the
	// day it opened, through the day it closed), Amicable otherwise. The
	// shares are of their sum.
	Amicable, Legal           money.Amount
	AmicableShare, LegalShare Rate
	// CaseCosts are the costs of cases incurred in the window; Letters the
	// registered letters sent in it, LetterCosts = Letters × letters.cost.
	// CostRate = (CaseCosts + LetterCosts) ÷ (Amicable + Legal).
	CaseCosts   money.Amount
	Letters     int
	LetterCosts money.Amount
	CostRate    Rate
}

// Recovered is what the window recovered: amicable and legal.
func (r Recovery) Recovered() money.Amount { return r.Amicable + r.Legal }

// Costs is what recovery cost in the window: cases and letters.
func (r Recovery) Costs() money.Amount { return r.CaseCosts + r.LetterCosts }

// PromiseKPIs is how promises to pay ended in the window: found kept or
// broken in it (a client promise counts once). KeptRate = Kept ÷ (Kept +
// Broken).
type PromiseKPIs struct {
	Kept, Broken int
	KeptRate     Rate
}

// DisputeKPIs is how long disputes take: those resolved in the window by
// someone (a dispute that lapsed at the end it was given is left out) and
// their mean resolution time in days (resolved − opened); those still open
// at the as-of date and their mean age.
type DisputeKPIs struct {
	Resolved    int
	MeanDays    float64
	Open        int
	OpenMeanAge float64
}

// recovery fills each currency's Recovery and returns the promise and
// dispute KPIs of the window: args are Compute's (the as-of date, the
// window's first day, the entity id or nil), letterCost what one registered
// letter costs. Each figure is one grouped query.
func recovery(ctx context.Context, q Querier, args []any, letterCost money.Amount, get func(string) *CurrencyKPIs) (PromiseKPIs, DisputeKPIs, error) {
	var p PromiseKPIs
	var d DisputeKPIs
	seen := map[*CurrencyKPIs]bool{}
	perCurrency := func(name, sql string, scan func(c *CurrencyKPIs, a, b int64)) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return fmt.Errorf("kpi %s: %w", name, err)
		}
		var c string
		var a, b int64
		_, err = pgx.ForEachRow(rows, []any{&c, &a, &b}, func() error {
			kc := get(c)
			scan(kc, a, b)
			seen[kc] = true
			return nil
		})
		if err != nil {
			return fmt.Errorf("kpi %s: %w", name, err)
		}
		return nil
	}
	if err := perCurrency("recovery rate", recoveryRateSQL, func(c *CurrencyKPIs, due, collected int64) {
		c.Recovery.Due, c.Recovery.Collected = money.Amount(due), money.Amount(collected)
	}); err != nil {
		return p, d, err
	}
	if err := perCurrency("recovery by phase", recoveryPhaseSQL, func(c *CurrencyKPIs, amicable, legal int64) {
		c.Recovery.Amicable, c.Recovery.Legal = money.Amount(amicable), money.Amount(legal)
	}); err != nil {
		return p, d, err
	}
	if err := perCurrency("recovery costs", recoveryCostsSQL, func(c *CurrencyKPIs, costs, letters int64) {
		c.Recovery.CaseCosts, c.Recovery.Letters = money.Amount(costs), int(letters)
	}); err != nil {
		return p, d, err
	}
	for kc := range seen {
		kc.Recovery.rates(letterCost)
	}
	if err := q.QueryRow(ctx, promisesKeptSQL, args...).Scan(&p.Kept, &p.Broken); err != nil {
		return p, d, fmt.Errorf("kpi promises: %w", err)
	}
	p.KeptRate = RateOf(int64(p.Kept), int64(p.Kept+p.Broken))
	if err := q.QueryRow(ctx, disputesTimeSQL, args...).Scan(&d.Resolved, &d.MeanDays, &d.Open, &d.OpenMeanAge); err != nil {
		return p, d, fmt.Errorf("kpi disputes: %w", err)
	}
	return p, d, nil
}

// rates works out a Recovery's ratios once its amounts are known, letters
// at letterCost each.
func (r *Recovery) rates(letterCost money.Amount) {
	r.LetterCosts = money.Amount(r.Letters) * letterCost
	r.Rate = RateOf(int64(r.Collected), int64(r.Due))
	r.AmicableShare = RateOf(int64(r.Amicable), int64(r.Recovered()))
	r.LegalShare = RateOf(int64(r.Legal), int64(r.Recovered()))
	r.CostRate = RateOf(int64(r.Costs()), int64(r.Recovered()))
}
