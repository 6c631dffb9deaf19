package worker

import (
	"time"

	"github.com/relance/relance/internal/penalty"
)

// Penalties adapts internal/penalty to the send worker.
type Penalties struct{ Calculator *penalty.Calculator }

// Penalty implements PenaltyCalculator: interest on what remained due day by
// day (settlements count from their day), broken down by half-year, and the
// fixed indemnity.
func (p Penalties) Penalty(d Debt, asOf time.Time) (penalty.Result, error) {
	debt := penalty.Debt{Amount: d.Amount, DueDate: d.DueDate, FrozenFrom: d.FrozenFrom}
	for _, s := range d.Payments {
		debt.Payments = append(debt.Payments, penalty.Payment{Day: s.Day, Amount: s.Amount})
	}
	return p.Calculator.Compute(debt, asOf)
}
