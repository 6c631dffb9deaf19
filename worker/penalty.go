package worker

import (
	"time"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
)

// Penalties adapts internal/penalty to the send worker: each debtor gets
// the rule set of its country, unless the configuration fixes one for all
// (penalty.Chooser).
type Penalties struct{ Rules *penalty.Chooser }

// Penalty implements PenaltyCalculator: interest on what remained due day by
// day (settlements count from their day), the fixed indemnity, and the rate
// of the last period (the one in force on asOf).
func (p Penalties) Penalty(d Debt, asOf time.Time) (interest, indemnity money.Amount, rateBP int, err error) {
	debt := penalty.Debt{Amount: d.Amount, DueDate: d.DueDate, FrozenFrom: d.FrozenFrom}
	for _, s := range d.Payments {
		debt.Payments = append(debt.Payments, penalty.Payment{Day: s.Day, Amount: s.Amount})
	}
	res, err := p.Rules.For(d.Country).Compute(debt, asOf)
	if err != nil {
		return 0, 0, 0, err
	}
	if n := len(res.Periods); n > 0 {
		rateBP = res.Periods[n-1].RateBP
	}
	return res.Interest, res.Indemnity, rateBP, nil
}

// RuleSet implements PenaltyCalculator.
func (p Penalties) RuleSet(country string) string { return string(p.Rules.RuleSet(country)) }
