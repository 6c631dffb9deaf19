package worker

import (
	"time"

	"github.com/relance/relance/internal/penalty"
)

// Penalties adapts internal/penalty to the send worker: each debtor gets
// the rule set of its country, unless the configuration fixes one for all
// (penalty.Chooser).
type Penalties struct{ Rules *penalty.Chooser }

// Penalty implements PenaltyCalculator: interest on what remained due day by
// day (settlements count from their day), broken down by half-year, and the
// fixed indemnity.
func (p Penalties) Penalty(d Debt, asOf time.Time) (penalty.Result, error) {
	debt := penalty.Debt{Amount: d.Amount, DueDate: d.DueDate, FrozenFrom: d.FrozenFrom}
	for _, s := range d.Payments {
		debt.Payments = append(debt.Payments, penalty.Payment{Day: s.Day, Amount: s.Amount})
	}
	return p.Rules.For(d.Country).Compute(debt, asOf)
}

// RuleSet implements PenaltyCalculator.
func (p Penalties) RuleSet(country string) string { return string(p.Rules.RuleSet(country)) }
