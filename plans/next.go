package plans

import (
	"time"

	"github.com/relance/relance/internal/calendar"
)

// NextInput is what Profile.Next needs to foresee an invoice's next step.
// Dates are business dates at 00:00 UTC (internal/clock).
type NextInput struct {
	AsOf    time.Time // D, the day the forecast is made on
	DueDate time.Time // the invoice's due date
	// Ledger holds the steps already decided for the invoice, as for
	// Resolve: entries dated D or later are ignored.
	Ledger []LedgerEntry
	// Calendar is the client's country calendar, as for Resolve. Nil means FR.
	Calendar *calendar.Calendar
}

// Next is the step a plan takes next for an invoice and the earliest day it
// can fire.
type Next struct {
	Step *Step     // points into the profile's Steps
	Day  time.Time // on or after NextInput.AsOf
}

// Next foresees the next step the profile takes for one invoice, seen on day
// in.AsOf (D), and the earliest day on or after D it can fire, by the rules
// Resolve applies (DESIGN §2 "When a step fires"), assuming nothing changes
// meanwhile:
//
//   - while D ≤ due date, a pre-due notice not yet sent (and not made moot
//     by a later notice sent) fires on the first business day on or after
//     both D and prev_business_day(due_date + offset), provided that day is
//     not after the due date; once overdue it is skipped;
//   - otherwise the next ladder step (the one after the highest ladder step
//     in the ledger: no level is ever skipped) fires on
//     next_business_day(max(due_date + offset, previous ladder day + min_gap, D));
//   - an action step (provision, phone_call) not in the ledger fires on
//     max(due_date + offset, D), business day or not.
//
// Of the message and the actions, the earliest is reported; on a tie, the
// message. ok is false when nothing is left to do: every message sent or
// skipped, every action taken.
//
// Next does not look at what holds steps back (payment, dispute, promise,
// insolvency, min_amount, the client's net balance): it tells what the plan
// would do next, and the caller shows the hold beside it. Next is pure.
func (p *Profile) Next(in NextInput) (next Next, ok bool) {
	if p == nil {
		return Next{}, false
	}
	cal := orDefault(in.Calendar)
	d := in.AsOf
	sent := make(map[string]time.Time, len(in.Ledger))
	recordSent(sent, in.Ledger, d)

	if st, day, found := p.nextMessage(cal, in.DueDate, d, sent); found {
		next, ok = Next{Step: st, Day: day}, true
	}
	for i := range p.Steps {
		st := &p.Steps[i]
		if st.Kind != Action {
			continue
		}
		if _, done := sent[st.ID]; done {
			continue
		}
		day := latest(actionDay(in.DueDate, *st), d)
		if !ok || day.Before(next.Day) {
			next, ok = Next{Step: st, Day: day}, true
		}
	}
	return next, ok
}

// nextMessage returns the next message step of p for an invoice due on due,
// seen on d, and the first business day it can fire.
func (p *Profile) nextMessage(cal *calendar.Calendar, due, d time.Time, sent map[string]time.Time) (*Step, time.Time, bool) {
	if !d.After(due) {
		for i := p.pendingPreDueFrom(sent); i < len(p.Steps); i++ {
			if p.Steps[i].Kind != PreDue {
				continue
			}
			// The earliest pending window opens first; on the day it fires,
			// Resolve sends the latest notice whose window is open by then.
			day := cal.NextBusinessDay(latest(preDueStart(cal, due, &p.Steps[i]), d))
			if !day.After(due) {
				return p.latestOpenPreDue(cal, due, day, sent), day, true
			}
			break
		}
	}
	st, last, lastDay := p.nextLadder(sent)
	if st == nil {
		return nil, time.Time{}, false
	}
	from := latest(ladderStart(cal, due, st), d)
	if last != nil {
		from = latest(from, lastDay.AddDate(0, 0, p.MinGap))
	}
	return st, cal.NextBusinessDay(from), true
}

// latest returns the later of two days.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Stepper foresees the next step of invoices of many clients: it picks each
// client's profile from a Set (Set.ProfileFor) and its calendar, and keeps
// the calendars it built, one per country. It is not safe for concurrent use.
type Stepper struct {
	set  *Set
	cals map[string]*calendar.Calendar
}

// NewStepper returns a Stepper over the plans of set.
func NewStepper(set *Set) *Stepper {
	return &Stepper{set: set, cals: map[string]*calendar.Calendar{}}
}

// Next returns Profile.Next for an invoice of client c, with in.Calendar
// set to the calendar of the client's country or, for a country without a
// holiday table, to the calendar of the client's profile (as the preview
// does). ok is false when the set has no profile for c.
func (s *Stepper) Next(c Client, in NextInput) (Next, bool) {
	profile := s.set.ProfileFor(c)
	if profile == nil {
		return Next{}, false
	}
	country := c.Country
	if !calendar.Known(country) {
		country = profile.Calendar
	}
	cal, cached := s.cals[country]
	if !cached {
		// A profile calendar without a holiday table gives weekends only;
		// plan check rejects it.
		cal, _ = calendar.For(country)
		s.cals[country] = cal
	}
	in.Calendar = cal
	return profile.Next(in)
}
