package plans

import (
	"time"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
)

// Reason says why Resolve decided what it did for the invoice's messages.
type Reason string

// The reasons Resolve gives. Due is the only one with a message; the others
// say why no message goes out on that day.
const (
	Due            Reason = "due"              // a message step fires today
	Paid           Reason = "paid"             // nothing outstanding
	Excluded       Reason = "excluded"         // the invoice is excluded from dunning
	Insolvency     Reason = "insolvency"       // the client's insolvency proceeding opened on or before today
	NetBalance     Reason = "net_balance"      // the client's net balance is ≤ 0 (credits cover the debt)
	Dispute        Reason = "dispute"          // an open dispute on the invoice
	Promise        Reason = "promise"          // a promise to pay covers today
	MinAmount      Reason = "min_amount"       // outstanding below the profile's min_amount
	NotBusinessDay Reason = "not_business_day" // weekend or public holiday in the client's country
	NotDueYet      Reason = "not_due_yet"      // the next step's date has not come
	PreDueOverdue  Reason = "pre_due_overdue"  // the pre-due notice was not sent in time and is skipped; level 1 not due yet
	Gap            Reason = "gap"              // the previous ladder step was sent less than min_gap days ago
	Finished       Reason = "finished"         // every message step has been sent
)

// LedgerEntry is one step already recorded for the invoice and the day it was
// decided (the sweep's as-of date).
type LedgerEntry struct {
	StepID string
	Day    time.Time
}

// Input is everything Resolve needs for one invoice on one day. Dates are
// business dates at 00:00 UTC (internal/clock).
type Input struct {
	AsOf        time.Time    // D, the day being decided
	DueDate     time.Time    // the invoice's due date
	Outstanding money.Amount // the invoice's outstanding as of D
	Disputed    bool         // an open dispute on the invoice at D
	Promised    bool         // a promise to pay covers D
	Excluded    bool         // the invoice is excluded from dunning

	NetBalance       money.Amount // the client's net balance at D (open items minus unapplied credits)
	InsolvencyOpened time.Time    // opening date of the client's insolvency proceeding; zero for none
	// Calendar is the client's country calendar (calendar.For(country));
	// for a country without a holiday table, the profile's `calendar`. Nil
	// means FR.
	Calendar *calendar.Calendar

	Profile *Profile

	// Ledger holds the steps already decided for this invoice. It must be
	// the ledger "as of D": Resolve ignores entries dated D or later, so that
	// replaying a past day with today's ledger gives that day's decision again.
	Ledger []LedgerEntry
}

// Decision is what happens to one invoice on one day: at most one message
// step and any action steps, which are independent of messages (an action and
// a message can both be due the same day).
type Decision struct {
	Message *Step  // the message step that fires today, nil for none
	Reason  Reason // Due when Message is set; otherwise why no message
	Actions []Step // action steps that fire today
}

// Resolve decides, for one invoice on day in.AsOf, which steps of its profile
// fire, following DESIGN §2 "When a step fires":
//
//   - nothing fires for a paid or excluded invoice, for a client whose
//     insolvency proceeding opened on or before D, whose net balance is ≤ 0,
//     for an invoice in dispute or under a promise covering D, or whose
//     outstanding is below the profile's min_amount;
//   - action steps (provision, phone_call) fire on the first day on or after
//     due_date + offset on which they are not in the ledger, business day or
//     not and whatever messages were sent;
//   - message steps fire only on business days of the client's calendar;
//   - a pre-due notice fires on a business day D with
//     prev_business_day(due_date + offset) ≤ D ≤ due_date, and is skipped
//     once the invoice is overdue;
//   - the ladder never skips a level: the next ladder step (the one after the
//     highest ladder step in the ledger) fires on a business day D when
//     D ≥ next_business_day(due_date + offset) and D minus the day the
//     previous ladder step was decided is at least min_gap (the pre-due notice
//     does not count). An invoice arriving very late thus starts at level 1
//     and climbs one level per min_gap.
//
// Resolve is pure: the same Input gives the same Decision.
func Resolve(in Input) Decision {
	p := in.Profile
	if p == nil || len(p.Steps) == 0 {
		return Decision{Reason: Finished}
	}
	cal := in.Calendar
	if cal == nil {
		cal, _ = calendar.For(calendar.Default)
	}
	d := in.AsOf
	sent := make(map[string]time.Time, len(in.Ledger))
	for _, e := range in.Ledger {
		if e.Day.Before(d) {
			sent[e.StepID] = e.Day
		}
	}

	switch {
	case in.Outstanding <= 0:
		return Decision{Reason: Paid}
	case in.Excluded:
		return Decision{Reason: Excluded}
	case !in.InsolvencyOpened.IsZero() && !in.InsolvencyOpened.After(d):
		return Decision{Reason: Insolvency}
	case in.NetBalance <= 0:
		return Decision{Reason: NetBalance}
	case in.Disputed:
		return Decision{Reason: Dispute}
	case in.Promised:
		return Decision{Reason: Promise}
	case in.Outstanding < p.MinAmount:
		return Decision{Reason: MinAmount}
	}

	var dec Decision
	for _, st := range p.Steps {
		if st.Kind != Action {
			continue
		}
		if _, done := sent[st.ID]; !done && !d.Before(in.DueDate.AddDate(0, 0, st.Offset)) {
			dec.Actions = append(dec.Actions, st)
		}
	}

	if !cal.IsBusinessDay(d) {
		dec.Reason = NotBusinessDay
		return dec
	}

	// Pre-due notices: the latest one whose window contains D.
	preDueMissed := false
	if !d.After(in.DueDate) {
		for i := len(p.Steps) - 1; i >= 0; i-- {
			st := p.Steps[i]
			if st.Kind != PreDue {
				continue
			}
			if _, done := sent[st.ID]; done {
				break // a later notice went out: earlier ones are moot
			}
			if !d.Before(cal.PrevBusinessDay(in.DueDate.AddDate(0, 0, st.Offset))) {
				dec.Message, dec.Reason = &p.Steps[i], Due
				return dec
			}
		}
	} else {
		for _, st := range p.Steps {
			if st.Kind == PreDue {
				if _, done := sent[st.ID]; !done {
					preDueMissed = true
				}
			}
		}
	}

	// The ladder: the step after the highest one already sent.
	var last *Step
	var lastDay time.Time
	next := -1
	for i := range p.Steps {
		st := &p.Steps[i]
		if st.Kind != Ladder {
			continue
		}
		if day, done := sent[st.ID]; done {
			last, lastDay, next = st, day, -1
			continue
		}
		if next < 0 {
			next = i
		}
	}
	if next < 0 {
		hasLadder := last != nil
		if !hasLadder {
			// No ladder at all, or not reached: only pre-due notices.
			dec.Reason = NotDueYet
			if d.After(in.DueDate) {
				dec.Reason = Finished
			}
		} else {
			dec.Reason = Finished
		}
		return dec
	}
	st := &p.Steps[next]
	if d.Before(cal.NextBusinessDay(in.DueDate.AddDate(0, 0, st.Offset))) {
		dec.Reason = NotDueYet
		if preDueMissed && last == nil {
			dec.Reason = PreDueOverdue
		}
		return dec
	}
	if last != nil && clock.DaysBetween(lastDay, d) < p.MinGap {
		dec.Reason = Gap
		return dec
	}
	dec.Message, dec.Reason = st, Due
	return dec
}
