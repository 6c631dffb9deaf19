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
	Excluded       Reason = "excluded"         // the invoice, or its client, is excluded from dunning
	Paused         Reason = "paused"           // a pause of the client covers today
	Insolvency     Reason = "insolvency"       // the client's insolvency proceeding opened on or before today
	NetBalance     Reason = "net_balance"      // the client's net balance is ≤ 0 (credits cover the debt)
	Dispute        Reason = "dispute"          // an open dispute on the invoice
	Promise        Reason = "promise"          // a promise to pay covers today
	Case           Reason = "case"             // an open legal collection case holds the invoice: no amicable message
	MinAmount      Reason = "min_amount"       // outstanding below the profile's min_amount
	NotBusinessDay Reason = "not_business_day" // weekend or public holiday in the client's country
	NotDueYet      Reason = "not_due_yet"      // the next step's date has not come
	PreDueOverdue  Reason = "pre_due_overdue"  // the pre-due notice was not sent in time and is skipped; level 1 not due yet
	Waiting        Reason = "waiting"          // the previous ladder step is still pending on a live job: not out yet
	Gap            Reason = "gap"              // the previous ladder step was sent less than min_gap days ago
	Finished       Reason = "finished"         // every message step has been sent
)

// LedgerEntry is one step already recorded for the invoice: the day it was
// decided (the sweep's as-of date) and what became of it. A step whose send
// job died (discarded, cancelled, deleted) or that was dropped at send time
// is not in the ledger: it is decided again.
type LedgerEntry struct {
	StepID string
	Day    time.Time
	// SentOn is the day the step went out when that is after Day (a
	// delivery held by an outage); zero means Day. min_gap counts from it.
	SentOn time.Time
	// Waiting is true while the step is pending on a live job: it blocks
	// the next ladder step without starting min_gap.
	Waiting bool
}

// sentDay is the day the entry went out (or, for a step that failed for
// good, was decided).
func (e LedgerEntry) sentDay() time.Time {
	if e.SentOn.IsZero() {
		return e.Day
	}
	return e.SentOn
}

// Input is everything Resolve needs for one invoice on one day. Dates are
// business dates at 00:00 UTC (internal/clock).
type Input struct {
	AsOf        time.Time    // D, the day being decided
	DueDate     time.Time    // the invoice's due date
	Outstanding money.Amount // the invoice's outstanding as of D
	Disputed    bool         // a dispute holds the invoice at D (opened, not resolved, its `until` not passed)
	Promised    bool         // a promise to pay covers D (made, not past its `until`, not found kept by D)
	Excluded    bool         // the invoice is excluded from dunning
	// InCase: a legal collection case holds the invoice at D (opened on or
	// before D, not closed by D). It stops the amicable messages only.
	InCase bool

	ClientExcluded bool // an exclusion of the client covers D
	ClientPaused   bool // a pause of the client covers D

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
//   - nothing fires for a paid or excluded invoice, for a client excluded
//     or paused on D, whose insolvency proceeding opened on or before D,
//     whose net balance is ≤ 0, for an invoice in dispute or under a
//     promise covering D, or whose outstanding is below the profile's
//     min_amount;
//   - an open legal case on the invoice stops its messages (the amicable
//     ladder), not its actions: an invoice in court is still provisioned;
//   - action steps (provision, phone_call) fire on the first day on or after
//     due_date + offset on which they are not in the ledger, business day or
//     not and whatever messages were sent;
//   - message steps fire only on business days of the client's calendar;
//   - a pre-due notice fires on a business day D with
//     prev_business_day(due_date + offset) ≤ D ≤ due_date, and is skipped
//     once the invoice is overdue;
//   - the ladder never skips a level: the next ladder step (the one after the
//     highest ladder step in the ledger) fires on a business day D when
//     D ≥ next_business_day(due_date + offset), no ladder step is still
//     waiting to go out as of D (pending on a live job, or sent on D or
//     later), and D minus the day the previous ladder step was sent is at
//     least min_gap (the pre-due notice does not count). An invoice arriving
//     very late thus starts at level 1 and climbs one level per min_gap;
//     after an outage, the next level waits min_gap from the late delivery.
//
// Resolve is pure: the same Input gives the same Decision.
func Resolve(in Input) Decision {
	p := in.Profile
	if p == nil || len(p.Steps) == 0 {
		return Decision{Reason: Finished}
	}
	cal := orDefault(in.Calendar)
	d := in.AsOf
	sent := make(map[string]time.Time, len(in.Ledger))
	waiting := recordSent(sent, in.Ledger, d)

	switch {
	case in.Outstanding <= 0:
		return Decision{Reason: Paid}
	case in.Excluded || in.ClientExcluded:
		return Decision{Reason: Excluded}
	case !in.InsolvencyOpened.IsZero() && !in.InsolvencyOpened.After(d):
		return Decision{Reason: Insolvency}
	case in.ClientPaused:
		return Decision{Reason: Paused}
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
		if _, done := sent[st.ID]; !done && !d.Before(actionDay(in.DueDate, st)) {
			dec.Actions = append(dec.Actions, st)
		}
	}

	if in.InCase {
		dec.Reason = Case
		return dec
	}
	if !cal.IsBusinessDay(d) {
		dec.Reason = NotBusinessDay
		return dec
	}

	// Pre-due notices: the latest one whose window contains D.
	preDueMissed := false
	if !d.After(in.DueDate) {
		if st := p.latestOpenPreDue(cal, in.DueDate, d, sent); st != nil {
			dec.Message, dec.Reason = st, Due
			return dec
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
	st, last, lastDay := p.nextLadder(sent)
	if st == nil {
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
	if d.Before(ladderStart(cal, in.DueDate, st)) {
		dec.Reason = NotDueYet
		if preDueMissed && last == nil {
			dec.Reason = PreDueOverdue
		}
		return dec
	}
	if p.ladderWaiting(waiting) {
		dec.Reason = Waiting
		return dec
	}
	if last != nil && clock.DaysBetween(lastDay, d) < p.MinGap {
		dec.Reason = Gap
		return dec
	}
	dec.Message, dec.Reason = st, Due
	return dec
}

// orDefault returns cal, or the default country's calendar (FR) for nil.
func orDefault(cal *calendar.Calendar) *calendar.Calendar {
	if cal == nil {
		cal, _ = calendar.For(calendar.Default)
	}
	return cal
}

// recordSent fills sent with the ledger as of d: each step decided before d
// and the day it went out. Entries decided on d or later are ignored, so
// that replaying a past day with today's ledger gives that day's decision
// again. It returns whether a step was still waiting to go out as of d:
// pending on a live job, or sent on d or later. (The caller makes the map,
// which then stays on its stack.)
func recordSent(sent map[string]time.Time, ledger []LedgerEntry, d time.Time) (waiting []string) {
	for _, e := range ledger {
		if e.Day.Before(d) {
			sent[e.StepID] = e.sentDay()
			if e.Waiting || !e.sentDay().Before(d) {
				waiting = append(waiting, e.StepID)
			}
		}
	}
	return waiting
}

// ladderWaiting reports whether one of the steps is on the ladder.
func (p *Profile) ladderWaiting(steps []string) bool {
	for _, id := range steps {
		for i := range p.Steps {
			if p.Steps[i].ID == id && p.Steps[i].Kind == Ladder {
				return true
			}
		}
	}
	return false
}

// pendingPreDueFrom returns the index in p.Steps from which pre-due notices
// may still go out: just after the last one sent (a later notice that went
// out makes the earlier ones moot), 0 when none was.
func (p *Profile) pendingPreDueFrom(sent map[string]time.Time) int {
	for i := len(p.Steps) - 1; i >= 0; i-- {
		if p.Steps[i].Kind != PreDue {
			continue
		}
		if _, done := sent[p.Steps[i].ID]; done {
			return i + 1
		}
	}
	return 0
}

// latestOpenPreDue returns the latest pre-due notice that may still go out
// (none later was sent) and whose window is open on d (d ≥ its
// preDueStart), nil for none. The window closes on the due date, which the
// caller checks.
func (p *Profile) latestOpenPreDue(cal *calendar.Calendar, due, d time.Time, sent map[string]time.Time) *Step {
	for i := len(p.Steps) - 1; i >= 0; i-- {
		st := &p.Steps[i]
		if st.Kind != PreDue {
			continue
		}
		if _, done := sent[st.ID]; done {
			return nil // a later notice went out: earlier ones are moot
		}
		if !d.Before(preDueStart(cal, due, st)) {
			return st
		}
	}
	return nil
}

// preDueStart is the first day a pre-due notice may fire:
// prev_business_day(due_date + offset). It may fire up to the due date.
func preDueStart(cal *calendar.Calendar, due time.Time, st *Step) time.Time {
	return cal.PrevBusinessDay(due.AddDate(0, 0, st.Offset))
}

// nextLadder returns the ladder step after the highest one already sent (nil
// when that was the last, or the profile has no ladder), and the highest one
// sent with its day (nil and zero when none was). Going from the highest
// step sent, rather than the first step missing from the ledger, keeps the
// ladder climbing one level at a time and never back (the sweep reads the
// ledger the same way: its highest level).
func (p *Profile) nextLadder(sent map[string]time.Time) (next, last *Step, lastDay time.Time) {
	for i := range p.Steps {
		st := &p.Steps[i]
		if st.Kind != Ladder {
			continue
		}
		if day, done := sent[st.ID]; done {
			last, lastDay, next = st, day, nil
			continue
		}
		if next == nil {
			next = st
		}
	}
	return next, last, lastDay
}

// ladderStart is the first day a ladder step may fire, min_gap aside:
// next_business_day(due_date + offset).
func ladderStart(cal *calendar.Calendar, due time.Time, st *Step) time.Time {
	return cal.NextBusinessDay(due.AddDate(0, 0, st.Offset))
}

// actionDay is the day from which an action step fires, business day or not:
// due_date + offset.
func actionDay(due time.Time, st Step) time.Time {
	return due.AddDate(0, 0, st.Offset)
}
