package plans

import (
	"fmt"
	"testing"
	"time"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/clock"
)

func TestProfileNext(t *testing.T) {
	set, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	std, key := set.Profile("standard"), set.Profile("key_account")
	fr, _ := calendar.For("FR")
	de, _ := calendar.For("DE")
	ladder := sent("level1@2025-06-09", "level2@2025-06-23", "level3@2025-07-07", "level4@2025-07-21", "level5@2025-08-04")

	tests := []struct {
		name      string
		profile   *Profile // nil means standard
		cal       *calendar.Calendar
		due, asOf string
		ledger    []LedgerEntry
		want      string // "step day", "" for nothing left
	}{
		// Due Wednesday 20 August 2025: −5d is Friday 15 August (Assomption),
		// so the window opens on Thursday 14.
		{name: "pre-due pending", due: "2025-08-20", asOf: "2025-08-11", want: "pre_due 2025-08-14"},
		{name: "pre-due window open today", due: "2025-08-20", asOf: "2025-08-18", want: "pre_due 2025-08-18"},
		{name: "pre-due seen on a Saturday goes out on Monday", due: "2025-08-20", asOf: "2025-08-16", want: "pre_due 2025-08-18"},
		// Due Friday 18 July: −5d is Sunday 13, moved back to Friday 11.
		{name: "pre-due moved back before a weekend", due: "2025-07-18", asOf: "2025-07-01", want: "pre_due 2025-07-11"},
		{name: "pre-due sent: level1 the day after the due date", due: "2025-08-20", asOf: "2025-08-19",
			ledger: sent("pre_due@2025-08-14"), want: "level1 2025-08-21"},
		// Due Saturday 16 August, seen that day: no business day is left
		// before the due date, so the notice is skipped; level1 at +1d is
		// Sunday 17, hence Monday 18.
		{name: "pre-due window closed without a business day", due: "2025-08-16", asOf: "2025-08-16", want: "level1 2025-08-18"},
		{name: "pre-due skipped once overdue", due: "2025-07-18", asOf: "2025-07-21", want: "level1 2025-07-21"},

		// Due Wednesday 4 June, first seen long after.
		{name: "overdue, empty ledger: level1 on D's next business day", due: "2025-06-04", asOf: "2025-08-16", want: "level1 2025-08-18"},
		{name: "overdue, empty ledger, D a business day: level1 on D", due: "2025-06-04", asOf: "2025-08-18", want: "level1 2025-08-18"},
		{name: "a ledger row dated D is not history yet", due: "2025-06-04", asOf: "2025-08-18",
			ledger: sent("level1@2025-08-18"), want: "level1 2025-08-18"},
		// level1 on Friday 8 August; +7 days is Friday 15 August, a holiday.
		{name: "gap pending: previous + min_gap moved to a business day", due: "2025-06-04", asOf: "2025-08-11",
			ledger: sent("level1@2025-08-08"), want: "level2 2025-08-18"},
		{name: "gap over: next level on D", due: "2025-06-04", asOf: "2025-08-20",
			ledger: sent("level1@2025-08-08"), want: "level2 2025-08-20"},
		{name: "offset not reached: level2 at due + 15", due: "2025-08-01", asOf: "2025-08-05",
			ledger: sent("level1@2025-08-04"), want: "level2 2025-08-18"}, // +15 is Saturday 16
		{name: "the ladder climbs from its highest step, never back", due: "2025-06-04", asOf: "2025-08-18",
			ledger: sent("level2@2025-08-11"), want: "level3 2025-08-18"},

		// Due Saturday 12 July: +1d is Sunday 13, Monday 14 is the Fête nationale.
		{name: "14 July holds level1", due: "2025-07-12", asOf: "2025-07-13", want: "level1 2025-07-15"},
		{name: "14 July is a business day in Germany", cal: de, due: "2025-07-12", asOf: "2025-07-13", want: "level1 2025-07-14"},

		// Due Thursday 15 May: +121d is Saturday 13 September; actions fire any day.
		{name: "all ladder done: provision", due: "2025-05-15", asOf: "2025-09-01", ledger: ladder, want: "provision 2025-09-13"},
		{name: "provision overdue: today", due: "2025-05-15", asOf: "2025-10-06", ledger: ladder, want: "provision 2025-10-06"},
		{name: "nothing left", due: "2025-05-15", asOf: "2025-10-06",
			ledger: append(sent("provision@2025-09-13"), ladder...), want: ""},
		// Due Wednesday 14 May: level5 and provision both fall on Friday 12 September.
		{name: "a message and an action the same day: the message", due: "2025-05-14", asOf: "2025-09-12",
			ledger: sent("level1@2025-08-04", "level2@2025-08-11", "level3@2025-08-18", "level4@2025-09-01"), want: "level5 2025-09-12"},
		// key_account, due Monday 2 June: the call at +30d (Wednesday 2 July)
		// comes before level3 at +40d (Saturday 12 July → Tuesday 15).
		{name: "an action before the next message", profile: key, due: "2025-06-02", asOf: "2025-06-24",
			ledger: sent("level1@2025-06-09", "level2@2025-06-23"), want: "call 2025-07-02"},
		{name: "the message before a later action", profile: key, due: "2025-06-02", asOf: "2025-06-24",
			ledger: sent("level1@2025-06-09", "level2@2025-06-23", "call@2025-06-23"), want: "level3 2025-07-15"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.profile
			if p == nil {
				p = std
			}
			cal := tc.cal
			if cal == nil {
				cal = fr
			}
			n, ok := p.Next(NextInput{AsOf: day(tc.asOf), DueDate: day(tc.due), Ledger: tc.ledger, Calendar: cal})
			got := ""
			if ok {
				got = n.Step.ID + " " + n.Day.Format(time.DateOnly)
			}
			if got != tc.want {
				t.Errorf("Next = %q, want %q", got, tc.want)
			}
		})
	}

	var none *Profile
	if _, ok := none.Next(NextInput{AsOf: day("2025-09-12"), DueDate: day("2025-09-01")}); ok {
		t.Error("nil profile: a next step")
	}
}

// Next must agree with Resolve: stepping Resolve one day at a time from D,
// with nothing holding the invoice back and the ledger as it stood at D, the
// first day something fires is Next's day, and what fires is Next's step
// (the message when a message and an action fire the same day).
func TestNextAgreesWithResolve(t *testing.T) {
	set, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	fr, _ := calendar.For("FR")
	de, _ := calendar.For("DE")
	ledgers := func(due time.Time) [][]LedgerEntry {
		at := func(days int) time.Time { return due.AddDate(0, 0, days) }
		return [][]LedgerEntry{
			nil,
			{{StepID: "pre_due", Day: at(-6)}},
			{{StepID: "level1", Day: at(2)}},
			{{StepID: "pre_due", Day: at(-6)}, {StepID: "level1", Day: at(3)}, {StepID: "level2", Day: at(20)}},
			{{StepID: "level1", Day: at(1)}, {StepID: "level2", Day: at(16)}, {StepID: "level3", Day: at(32)}, {StepID: "level4", Day: at(46)}},
			{{StepID: "level1", Day: at(1)}, {StepID: "level2", Day: at(16)}, {StepID: "level3", Day: at(32)}, {StepID: "level4", Day: at(46)}, {StepID: "level5", Day: at(62)}},
			{{StepID: "call", Day: at(30)}, {StepID: "level1", Day: at(5)}},
		}
	}
	n := 0
	for _, p := range set.Profiles {
		for _, cal := range []*calendar.Calendar{fr, de} {
			for due := clock.Date(2025, 4, 28); due.Before(clock.Date(2025, 5, 12)); due = due.AddDate(0, 0, 1) {
				for _, ledger := range ledgers(due) {
					for off := -12; off <= 140; off += 3 {
						d := due.AddDate(0, 0, off)
						got, ok := p.Next(NextInput{AsOf: d, DueDate: due, Ledger: ledger, Calendar: cal})
						want, wantOK := firstFiring(p, cal, due, d, ledger)
						n++
						if ok != wantOK || ok && (got.Step.ID != want.Step.ID || !got.Day.Equal(want.Day)) {
							t.Fatalf("%s %s due %s seen %s ledger %v: Next = %v, want (Resolve) %v",
								p.Name, cal.Country(), due.Format(time.DateOnly), d.Format(time.DateOnly), ledger,
								show(got, ok), show(want, wantOK))
						}
					}
				}
			}
		}
	}
	t.Logf("%d forecasts checked against Resolve", n)
}

// firstFiring steps Resolve day by day from d until a step fires.
func firstFiring(p *Profile, cal *calendar.Calendar, due, d time.Time, ledger []LedgerEntry) (Next, bool) {
	var history []LedgerEntry
	for _, e := range ledger {
		if e.Day.Before(d) {
			history = append(history, e)
		}
	}
	for day := d; day.Before(d.AddDate(1, 0, 0)); day = day.AddDate(0, 0, 1) {
		dec := Resolve(Input{AsOf: day, DueDate: due, Outstanding: 100000, NetBalance: 100000,
			Calendar: cal, Profile: p, Ledger: history})
		if dec.Message != nil {
			return Next{Step: dec.Message, Day: day}, true
		}
		if len(dec.Actions) > 0 {
			return Next{Step: &dec.Actions[0], Day: day}, true
		}
	}
	return Next{}, false
}

func show(n Next, ok bool) string {
	if !ok {
		return "nothing"
	}
	return fmt.Sprintf("%s %s", n.Step.ID, n.Day.Format(time.DateOnly))
}

func TestStepperPicksProfileAndCalendar(t *testing.T) {
	set, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	s := NewStepper(set)
	// Due Saturday 12 July 2025, seen Sunday 13: 14 July holds level1 in
	// France, not in Germany; a country without holidays takes the profile's
	// calendar (FR).
	in := NextInput{AsOf: day("2025-07-13"), DueDate: day("2025-07-12")}
	// Seen on Monday 30 June, before the pre-due windows: standard's −5d is
	// Monday 7 July, risky's (payer score E) −10d Wednesday 2 July.
	early := NextInput{AsOf: day("2025-06-30"), DueDate: day("2025-07-12")}
	for _, c := range []struct {
		client Client
		in     NextInput
		want   string
	}{
		{Client{Country: "FR"}, in, "level1 2025-07-15"},
		{Client{Country: "DE"}, in, "level1 2025-07-14"},
		{Client{Country: "ZZ"}, in, "level1 2025-07-15"},
		{Client{Country: "FR", Profile: "key_account"}, in, "level1 2025-07-17"}, // +5d
		{Client{Country: "FR"}, early, "pre_due 2025-07-07"},
		{Client{Country: "FR", Score: "E"}, early, "pre_due 2025-07-02"},
	} {
		n, ok := s.Next(c.client, c.in)
		if got := show(n, ok); got != c.want {
			t.Errorf("%+v seen %s: %s, want %s", c.client, c.in.AsOf.Format(time.DateOnly), got, c.want)
		}
	}
	if _, ok := NewStepper(&Set{}).Next(Client{}, in); ok {
		t.Error("a set without profiles gave a next step")
	}
}
