package aging

import (
	"slices"
	"time"

	"github.com/relance/relance/plans"
)

// PlanNextStep is the NextStepper of a set of reminder plans: for an open
// invoice of the by-invoice view it picks the client's profile
// (plans.Set.ProfileFor on the item's client fields), the client's country
// calendar, and the invoice's ledger as the query read it, and tells the
// plan's next step and the earliest day it can fire.
type PlanNextStep struct {
	asOf    time.Time
	stepper *plans.Stepper
}

// NewPlanNextStep returns the NextStepper of set for the as-of date asOf.
func NewPlanNextStep(set *plans.Set, asOf time.Time) PlanNextStep {
	return PlanNextStep{asOf: asOf, stepper: plans.NewStepper(set)}
}

// NextStep returns the next step and its day; none (no Step) for a credit
// note, an unapplied payment or an invoice whose plan has nothing left to do.
func (p PlanNextStep) NextStep(it Item) plans.Next {
	if it.Kind != "invoice" || it.DueDate == nil {
		return plans.Next{}
	}
	ledger := make([]plans.LedgerEntry, len(it.Ledger))
	for i, e := range it.Ledger {
		ledger[i] = plans.LedgerEntry{StepID: e.StepID, Day: e.Day}
	}
	n, ok := p.stepper.Next(
		plans.Client{Profile: it.ClientProfile, Score: it.PayerScore, Outstanding: it.ClientNet, Country: it.Country, Segment: it.Segment},
		plans.NextInput{AsOf: p.asOf, DueDate: *it.DueDate, Ledger: ledger})
	if !ok {
		return plans.Next{}
	}
	return n
}

// After returns the step that follows stepID once the sweep has decided it
// on the as-of date: the forecast from the next day, with that step in the
// invoice's ledger. A page read after the day's sweep shows it beside the
// step already decided (NextStep, replayable, leaves the day's own
// decisions out, as plans.Resolve does).
func (p PlanNextStep) After(it Item, stepID string) plans.Next {
	it.Ledger = append(slices.Clip(it.Ledger), LedgerStep{StepID: stepID, Day: p.asOf})
	return PlanNextStep{asOf: p.asOf.AddDate(0, 0, 1), stepper: p.stepper}.NextStep(it)
}
