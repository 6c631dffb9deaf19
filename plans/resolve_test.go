package plans

import (
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/money"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sent builds a ledger from "step@date" pairs: decided and sent that day.
// "step@date>sent" was sent later, on sent; "step@date…" is still pending on
// a live job.
func sent(pairs ...string) []LedgerEntry {
	var out []LedgerEntry
	for _, p := range pairs {
		id, d, _ := strings.Cut(p, "@")
		e := LedgerEntry{StepID: id}
		if decided, ok := strings.CutSuffix(d, "…"); ok {
			d, e.Waiting = decided, true
		}
		if decided, late, ok := strings.Cut(d, ">"); ok {
			d, e.SentOn = decided, day(late)
		}
		e.Day = day(d)
		out = append(out, e)
	}
	return out
}

func TestResolve(t *testing.T) {
	set, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	std, key := set.Profile("standard"), set.Profile("key_account")
	fr, _ := calendar.For("FR")
	de, _ := calendar.For("DE")
	full := sent("level1@2025-06-09", "level2@2025-06-23", "level3@2025-07-07", "level4@2025-07-21")

	tests := []struct {
		name                         string
		profile                      *Profile
		cal                          *calendar.Calendar
		due, asOf                    string
		outstanding                  money.Amount // 0 means 1,000.00
		net                          money.Amount // 0 means the outstanding
		disputed                     bool
		promised                     bool
		excluded                     bool
		inCase                       bool
		clientPaused, clientExcluded bool
		insolvency                   string
		ledger                       []LedgerEntry
		wantMsg                      string // step id, "" for none
		wantReason                   Reason
		wantActions                  string // comma-separated step ids
	}{
		// Due Saturday 12 July 2025: +1d is Sunday 13, Monday 14 is the Fête nationale.
		{name: "due on a Saturday, level1 waits past 14 July", due: "2025-07-12", asOf: "2025-07-14", wantReason: NotBusinessDay},
		{name: "due on a Saturday, level1 on Tuesday 15 July", due: "2025-07-12", asOf: "2025-07-15", wantMsg: "level1", wantReason: Due},
		{name: "14 July is a business day in Germany", cal: de, due: "2025-07-12", asOf: "2025-07-14", wantMsg: "level1", wantReason: Due},
		{name: "Sunday", due: "2025-07-12", asOf: "2025-07-13", wantReason: NotBusinessDay},
		// Due Thursday 14 August: +1d is Friday 15 August, Assomption.
		{name: "15 August holds level1", due: "2025-08-14", asOf: "2025-08-15", wantReason: NotBusinessDay},
		{name: "level1 on Monday 18 August", due: "2025-08-14", asOf: "2025-08-18", wantMsg: "level1", wantReason: Due},
		{name: "level1 not due on the due date", due: "2025-08-14", asOf: "2025-08-14", ledger: sent("pre_due@2025-08-08"), wantReason: NotDueYet},

		// Pre-due, due Wednesday 20 August: −5d is Friday 15 August, moved back to Thursday 14.
		{name: "pre-due moved back before 15 August", due: "2025-08-20", asOf: "2025-08-14", wantMsg: "pre_due", wantReason: Due},
		{name: "pre-due not before its window", due: "2025-08-20", asOf: "2025-08-13", wantReason: NotDueYet},
		{name: "pre-due still fires up to the due date", due: "2025-08-20", asOf: "2025-08-20", wantMsg: "pre_due", wantReason: Due},
		{name: "pre-due sent once", due: "2025-08-20", asOf: "2025-08-19", ledger: sent("pre_due@2025-08-14"), wantReason: NotDueYet},
		// Due Friday 18 July: −5d is Sunday 13, moved back to Friday 11 (14 July is in between).
		{name: "pre-due moved back before a weekend", due: "2025-07-18", asOf: "2025-07-11", wantMsg: "pre_due", wantReason: Due},
		{name: "pre-due skipped once overdue (key_account level1 at +5d)", profile: key, due: "2025-07-18", asOf: "2025-07-21", wantReason: PreDueOverdue},
		{name: "overdue invoice gets level1, not the missed pre-due", due: "2025-07-18", asOf: "2025-07-21", wantMsg: "level1", wantReason: Due},
		{name: "pre-due does not count for min_gap", due: "2025-09-10", asOf: "2025-09-11", ledger: sent("pre_due@2025-09-05"), wantMsg: "level1", wantReason: Due},

		// Imported 75 days late (due Wednesday 4 June, first seen Monday 18 August):
		// level 1 first, then one level per 7 days.
		{name: "late import starts at level1", due: "2025-06-04", asOf: "2025-08-18", wantMsg: "level1", wantReason: Due},
		{name: "late import waits min_gap", due: "2025-06-04", asOf: "2025-08-22", ledger: sent("level1@2025-08-18"), wantReason: Gap},
		{name: "late import level2 after 7 days", due: "2025-06-04", asOf: "2025-08-25", ledger: sent("level1@2025-08-18"), wantMsg: "level2", wantReason: Due},
		{name: "late import level3", due: "2025-06-04", asOf: "2025-09-01", ledger: sent("level1@2025-08-18", "level2@2025-08-25"), wantMsg: "level3", wantReason: Due},
		{name: "late import level5 after level4", due: "2025-06-04", asOf: "2025-09-15",
			ledger: sent("level1@2025-08-18", "level2@2025-08-25", "level3@2025-09-01", "level4@2025-09-08"), wantMsg: "level5", wantReason: Due},
		{name: "ladder step not before its offset even after the gap", due: "2025-06-04", asOf: "2025-06-30",
			ledger: sent("level1@2025-06-05", "level2@2025-06-19"), wantReason: NotDueYet},

		// Amounts.
		{name: "payment brings it under min_amount", due: "2025-06-04", asOf: "2025-08-18", outstanding: 999, wantReason: MinAmount},
		{name: "exactly min_amount is reminded", due: "2025-06-04", asOf: "2025-08-18", outstanding: 1000, wantMsg: "level1", wantReason: Due},
		{name: "paid", due: "2025-06-04", asOf: "2025-08-18", outstanding: -1, wantReason: Paid},
		{name: "net balance zero", due: "2025-06-04", asOf: "2025-08-18", net: -1, wantReason: NetBalance},

		// Dispute opened, then resolved: the ladder resumes where it was.
		{name: "dispute open", due: "2025-06-04", asOf: "2025-08-25", disputed: true, ledger: sent("level1@2025-08-18"), wantReason: Dispute},
		{name: "dispute resolved", due: "2025-06-04", asOf: "2025-08-26", ledger: sent("level1@2025-08-18"), wantMsg: "level2", wantReason: Due},
		{name: "promise", due: "2025-06-04", asOf: "2025-08-25", promised: true, wantReason: Promise},
		{name: "excluded", due: "2025-06-04", asOf: "2025-08-25", excluded: true, wantReason: Excluded},

		// An open legal case stops the amicable messages, pre-due notice
		// included, not the actions; its close resumes the ladder.
		{name: "case holds the ladder", due: "2025-06-04", asOf: "2025-08-25", inCase: true, ledger: sent("level1@2025-08-18"), wantReason: Case},
		{name: "case holds a pre-due notice", due: "2025-08-20", asOf: "2025-08-14", inCase: true, wantReason: Case},
		{name: "case lets the provision fire", due: "2025-06-02", asOf: "2025-10-06", inCase: true,
			ledger: append(sent("level5@2025-10-01"), full...), wantReason: Case, wantActions: "provision"},
		{name: "case lets an action fire on a Saturday", due: "2025-06-02", asOf: "2025-10-04", inCase: true,
			ledger: append(sent("level5@2025-10-01"), full...), wantReason: Case, wantActions: "provision"},
		{name: "case closed", due: "2025-06-04", asOf: "2025-08-26", ledger: sent("level1@2025-08-18"), wantMsg: "level2", wantReason: Due},
		{name: "dispute wins over the case: no action", due: "2025-06-02", asOf: "2025-10-06", inCase: true, disputed: true,
			ledger: append(sent("level5@2025-10-01"), full...), wantReason: Dispute},

		// A client paused or excluded gets nothing, actions included; the
		// ladder resumes where it was the day the pause ends.
		{name: "client paused", due: "2025-06-04", asOf: "2025-08-25", clientPaused: true, ledger: sent("level1@2025-08-18"), wantReason: Paused},
		{name: "client paused blocks actions", due: "2025-01-02", asOf: "2025-08-18", clientPaused: true, wantReason: Paused},
		{name: "client excluded blocks actions", due: "2025-01-02", asOf: "2025-08-18", clientExcluded: true, wantReason: Excluded},
		{name: "pause over", due: "2025-06-04", asOf: "2025-09-01", ledger: sent("level1@2025-08-18"), wantMsg: "level2", wantReason: Due},

		// Insolvency freezes from its opening date; a replay of an earlier day still reminds.
		{name: "insolvency opened today", due: "2025-06-04", asOf: "2025-08-18", insolvency: "2025-08-18", wantReason: Insolvency},
		{name: "insolvency opened later", due: "2025-06-04", asOf: "2025-08-18", insolvency: "2025-08-19", wantMsg: "level1", wantReason: Due},
		{name: "insolvency blocks actions too", due: "2025-01-02", asOf: "2025-08-18", insolvency: "2025-03-01", wantReason: Insolvency},

		// Actions, due Monday 2 June.
		{name: "provision fires with level5 the same day", due: "2025-06-02", asOf: "2025-10-01", ledger: full,
			wantMsg: "level5", wantReason: Due, wantActions: "provision"},
		{name: "provision fires on a Saturday", due: "2025-06-02", asOf: "2025-10-04",
			ledger: append(sent("level5@2025-10-01"), full...), wantReason: NotBusinessDay, wantActions: "provision"},
		{name: "provision once", due: "2025-06-02", asOf: "2025-10-06",
			ledger: append(sent("level5@2025-10-01", "provision@2025-10-04"), full...), wantReason: Finished},
		{name: "phone call at +30d without a message", profile: key, due: "2025-06-02", asOf: "2025-07-02",
			ledger: sent("level1@2025-06-09", "level2@2025-06-23"), wantReason: NotDueYet, wantActions: "call"},
		{name: "phone call catches up with level3", profile: key, due: "2025-06-02", asOf: "2025-07-14",
			ledger: sent("level1@2025-06-09", "level2@2025-06-23"), wantReason: NotBusinessDay, wantActions: "call"},
		{name: "late import gets level1 and the provision at once", due: "2025-01-06", asOf: "2025-08-18", wantMsg: "level1", wantReason: Due, wantActions: "provision"},

		// After an outage (issue 10): min_gap counts from the day a step was
		// sent; a step pending on a live job blocks the next level without
		// starting the clock; a step whose job died is not in the ledger and
		// is decided again.
		{name: "level1 pending on a live job blocks level2", due: "2025-06-04", asOf: "2025-08-29",
			ledger: sent("level1@2025-08-18…"), wantReason: Waiting},
		{name: "level1 sent three days late: level2 waits min_gap from the send", due: "2025-06-04", asOf: "2025-08-25",
			ledger: sent("level1@2025-08-18>2025-08-21"), wantReason: Gap},
		{name: "level2 min_gap after the late send", due: "2025-06-04", asOf: "2025-08-28",
			ledger: sent("level1@2025-08-18>2025-08-21"), wantMsg: "level2", wantReason: Due},
		{name: "replay before the late send: level1 was still waiting", due: "2025-06-04", asOf: "2025-08-20",
			ledger: sent("level1@2025-08-18>2025-08-21"), wantReason: Waiting},
		{name: "level1 whose job died is decided again, not level2", due: "2025-06-04", asOf: "2025-08-29",
			ledger: nil, wantMsg: "level1", wantReason: Due},
		{name: "a pending pre-due notice does not hold level1", due: "2025-09-10", asOf: "2025-09-11",
			ledger: sent("pre_due@2025-09-05…"), wantMsg: "level1", wantReason: Due},

		// The ledger is read as of D: a step decided on D or later does not count.
		{name: "replay ignores the ledger from D on", due: "2025-06-04", asOf: "2025-08-18", ledger: sent("level1@2025-08-18", "level2@2025-08-25"), wantMsg: "level1", wantReason: Due},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{
				AsOf: day(tt.asOf), DueDate: day(tt.due),
				Outstanding: tt.outstanding, NetBalance: tt.net,
				Disputed: tt.disputed, Promised: tt.promised, Excluded: tt.excluded, InCase: tt.inCase,
				ClientPaused: tt.clientPaused, ClientExcluded: tt.clientExcluded,
				Calendar: tt.cal, Profile: tt.profile, Ledger: tt.ledger,
			}
			if in.Calendar == nil {
				in.Calendar = fr
			}
			if in.Profile == nil {
				in.Profile = std
			}
			if in.Outstanding == 0 {
				in.Outstanding = 100000
			}
			if in.NetBalance == 0 {
				in.NetBalance = in.Outstanding
			}
			if tt.insolvency != "" {
				in.InsolvencyOpened = day(tt.insolvency)
			}
			got := Resolve(in)
			msg := ""
			if got.Message != nil {
				msg = got.Message.ID
			}
			var acts []string
			for _, a := range got.Actions {
				acts = append(acts, a.ID)
			}
			if msg != tt.wantMsg || got.Reason != tt.wantReason || strings.Join(acts, ",") != tt.wantActions {
				t.Errorf("got message %q reason %s actions %v; want %q %s %q", msg, got.Reason, acts, tt.wantMsg, tt.wantReason, tt.wantActions)
			}
		})
	}
}
