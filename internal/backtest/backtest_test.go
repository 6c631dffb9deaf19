package backtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/preview"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/worker"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// portfolio is a small French portfolio for September and October 2025
// (no public holiday in either month: business days are Monday to
// Friday), every client with an email address:
//   - A-1, 1,000.00 due Monday 08/09;
//   - B-1, 500.00 due Thursday 25/09, paid in full on Monday 29/09;
//   - C-1, 2,000.00 due Friday 10/10;
//   - D-1, 3,000.00 due 01/07, levels 1 to 4 sent 02/07, 16/07, 01/08 and
//     15/08; its level 5 really went on 02/10, a month into the period;
//   - E-1, 800.00 due Monday 18/08, level 1 decided 19/08 and still
//     waiting to be sent;
//   - X-1 of another entity, due 08/09 like A-1.
const portfolio = `
INSERT INTO entity (code, name) VALUES ('other', 'Autre SA');
INSERT INTO client (entity_id, code, name, country, emails, address_line1, postcode, city)
SELECT e.id, v.code, v.name, 'FR', ARRAY[lower(v.code) || '@example.fr'], '1 rue de la Paix', '75002', 'Paris'
FROM (VALUES ('default', 'A', 'Alpha SARL'), ('default', 'B', 'Beta SA'), ('default', 'C', 'Gamma SAS'),
             ('default', 'D', 'Delta SA'), ('default', 'E', 'Epsilon SARL'), ('other', 'X', 'Xi SA')) v(entity, code, name)
JOIN entity e ON e.code = v.entity;
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
SELECT c.entity_id, c.id, v.number, v.due::date - 30, v.due::date, v.amount
FROM (VALUES ('A', 'A-1', '2025-09-08', 100000), ('B', 'B-1', '2025-09-25', 50000), ('C', 'C-1', '2025-10-10', 200000),
             ('D', 'D-1', '2025-07-01', 300000), ('E', 'E-1', '2025-08-18', 80000), ('X', 'X-1', '2025-09-08', 100000))
     v(client, number, due, amount)
JOIN client c ON c.code = v.client;
INSERT INTO allocation (invoice_id, source, amount, applied_on) SELECT id, 'import', 50000, '2025-09-29' FROM invoice WHERE number = 'B-1';
UPDATE invoice SET settled = 50000 WHERE number = 'B-1';
INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_on)
SELECT i.id, i.client_id, 'standard', v.step, v.level, v.channel, v.step, v.day::date, v.status, CASE WHEN v.status = 'sent' THEN v.day::date END
FROM (VALUES ('D-1', 'level1', 1, 'email', '2025-07-02', 'sent'), ('D-1', 'level2', 2, 'email', '2025-07-16', 'sent'),
             ('D-1', 'level3', 3, 'email', '2025-08-01', 'sent'), ('D-1', 'level4', 4, 'email', '2025-08-15', 'sent'),
             ('D-1', 'level5', 5, 'registered_letter', '2025-10-02', 'sent'),
             ('E-1', 'level1', 1, 'email', '2025-08-19', 'pending')) v(number, step, level, channel, day, status)
JOIN invoice i ON i.number = v.number;
`

// plusSeven is the default plans with the standard profile's level 1 at
// +7d instead of +1d.
func plusSeven(t *testing.T) *plans.Set {
	t.Helper()
	text := strings.Replace(string(plans.DefaultYAML),
		"{id: level1,    at: +1d,   channel: email, template: level1}",
		"{id: level1,    at: +7d,   channel: email, template: level1}", 1)
	if text == string(plans.DefaultYAML) {
		t.Fatal("the default plan's level 1 is no longer written as expected")
	}
	set, err := plans.Load("plus7.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func sweeper(set *plans.Set) *worker.Sweeper {
	return &worker.Sweeper{Plans: set, Calendars: func(country string) (worker.Calendar, error) { return calendar.For(country) }}
}

func defaults(t *testing.T) *plans.Set {
	t.Helper()
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// seeded is a database holding the portfolio.
func seeded(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := pgtest.NewDB(t)
	if _, err := pool.Exec(context.Background(), portfolio); err != nil {
		t.Fatal(err)
	}
	return pool
}

// counts renders a month's levels as "level:old emails/new emails
// old letters/new letters" for the levels either plan sent.
func counts(m Month) string {
	var parts []string
	for _, lv := range m.Levels {
		c := lv.Count
		parts = append(parts, fmt.Sprintf("%d:%d/%d %d/%d", lv.Level, c.Old.Messages, c.New.Messages, c.Old.Letters, c.New.Letters))
	}
	return strings.Join(parts, " ")
}

// TestPlanDiffLevelOneAtSevenDays is the done-when: the default
// plan against the same with level 1 at +7d, from Monday 01/09/2025 to
// Friday 31/10/2025, counted by hand (min_gap 7 days, a step on the first
// business day on or after due + offset; dd/mm):
//
//	A-1 due Mon 08/09. Both: pre-due −5d Wed 03/09. Old: level 1 +1d Tue 09/09,
//	  level 2 +15d Tue 23/09, level 3 +31d Thu 09/10, level 4 +45d Thu 23/10.
//	  New: level 1 +7d Mon 15/09, level 2 max(+15d 23/09, 15/09+7 22/09) 23/09,
//	  then the same 09/10 and 23/10. Delay to level 1: old 1 day, new 7.
//	B-1 due Thu 25/09. Both: pre-due −5d Sat 20/09 → the business day before,
//	  Fri 19/09. Old: level 1 +1d Fri 26/09. Paid Mon 29/09: nothing after;
//	  new level 1 +7d would be Thu 02/10, paid by then: none. Delay: old 1.
//	C-1 due Fri 10/10. Both: pre-due −5d Sun 05/10 → Fri 03/10. Old: level 1
//	  +1d Sat 11/10 → Mon 13/10, level 2 +15d Sat 25/10 → Mon 27/10. New:
//	  level 1 +7d Fri 17/10, level 2 max(25/10, 24/10) → Mon 27/10.
//	  Delay: old 3, new 7.
//	D-1 due 01/07, level 4 sent 15/08, as the history stood on 01/09 (its
//	  real level 5 of 02/10 is not history): level 5 +61d Sun 31/08, 17 days
//	  after level 4, so Mon 01/09 in both, a registered letter (not 02/10). (Its
//	  provision on 30/10 is an action: no message.)
//	E-1 due Mon 18/08, level 1 waiting on the morning of 01/09: it goes out
//	  01/09. Both: level 2 +15d Tue 02/09 but min_gap from 01/09 → Mon 08/09,
//	  level 3 +31d Thu 18/09 (08/09+7 = 15/09), level 4 +45d Thu 02/10,
//	  level 5 +61d Sat 18/10 → Mon 20/10, a letter.
//	X-1 is another entity's: left out.
//
// September, old: pre-due A B (2), level 1 A B (2), level 2 A E (2),
// level 3 E (1), level 5 D (1 letter); new: pre-due 2, level 1 A (1),
// level 2 2, level 3 1, level 5 1 letter. October, both: pre-due C (1),
// level 1 C (1), level 2 C (1), level 3 A (1), level 4 A E (2), level 5 E
// (1 letter). Emails: old 7 + 6 = 13, new 6 + 6 = 12; letters 2 and 2.
// First contact, old: September A 1 B 1 (mean 1, median 1), October C 3;
// whole period 1, 1, 3: mean 1.67, median 1. New: September A 7, October
// C 7; whole period mean 7, median 7. Reminded differently: A (from 09/09),
// B (26/09), C (13/10), largest outstanding on 31/10 first: C 2,000.00,
// A 1,000.00, B nothing; D and E alike; 5 clients reminded in all.
func TestPlanDiffLevelOneAtSevenDays(t *testing.T) {
	pool := seeded(t)
	before := pgtest.Footprint(t, pool)
	rep := levelOneAtSeven(t, pool)
	if rep.Days != 61 || len(rep.Months) != 2 || rep.Months[0].Month != "2025-09" || rep.Months[1].Month != "2025-10" {
		t.Fatalf("period: %d days, months %+v", rep.Days, rep.Months)
	}
	for _, c := range []struct {
		month Month
		want  string
	}{
		{rep.Months[0], "0:2/2 0/0 1:2/1 0/0 2:2/2 0/0 3:1/1 0/0 5:0/0 1/1"},
		{rep.Months[1], "0:1/1 0/0 1:1/1 0/0 2:1/1 0/0 3:1/1 0/0 4:2/2 0/0 5:0/0 1/1"},
		{rep.Total, "0:3/3 0/0 1:3/2 0/0 2:3/3 0/0 3:2/2 0/0 4:2/2 0/0 5:0/0 2/2"},
	} {
		if got := counts(c.month); got != c.want {
			t.Errorf("%q: %s, want %s", c.month.Month, got, c.want)
		}
	}
	if rep.Old.Messages != 13 || rep.New.Messages != 12 || rep.Old.Letters != 2 || rep.New.Letters != 2 || rep.Old.Clients != 5 || rep.New.Clients != 5 {
		t.Errorf("totals: old %+v, new %+v", rep.Old, rep.New)
	}
	for _, c := range []struct {
		got  Pair[Delay]
		want string
	}{
		{rep.Months[0].FirstContact, "old 2 1.00 1.0, new 1 7.00 7.0"},
		{rep.Months[1].FirstContact, "old 1 3.00 3.0, new 1 7.00 7.0"},
		{rep.Total.FirstContact, "old 3 1.67 1.0, new 2 7.00 7.0"},
	} {
		got := fmt.Sprintf("old %d %.2f %.1f, new %d %.2f %.1f", c.got.Old.Invoices, c.got.Old.Mean, c.got.Old.Median,
			c.got.New.Invoices, c.got.New.Mean, c.got.New.Median)
		if got != c.want {
			t.Errorf("first contact: %s, want %s", got, c.want)
		}
	}
	var clients []string
	for _, c := range rep.Clients {
		clients = append(clients, fmt.Sprintf("%s %v %s %d/%d", c.Code, c.Outstanding, c.FirstDifference,
			c.Plans.Old.Messages, c.Plans.New.Messages))
	}
	if got, want := strings.Join(clients, "; "), "C [{EUR 200000}] 2025-10-13 3/3; A [{EUR 100000}] 2025-09-09 5/5; B [] 2025-09-26 2/1"; got != want {
		t.Errorf("clients reminded differently:\n%s\nwant\n%s", got, want)
	}
	if rep.Reminded != 5 {
		t.Errorf("%d clients reminded, want 5", rep.Reminded)
	}
	if after := pgtest.Footprint(t, pool); after != before {
		t.Errorf("plan diff left rows behind:\nbefore %s\nafter  %s", before, after)
	}
}

// levelOneAtSeven compares the default plans with plusSeven over
// September and October 2025.
func levelOneAtSeven(t *testing.T, pool *pgxpool.Pool) *Report {
	t.Helper()
	rep, err := Run(context.Background(), pool, Options{Entity: "default", From: clock.Date(2025, 9, 1), To: clock.Date(2025, 10, 31),
		Old: Plan{Name: "plans/default.yaml", Sweeper: sweeper(defaults(t))}, New: Plan{Name: "plus7.yaml", Sweeper: sweeper(plusSeven(t))}})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestACommitDuringTheRunIsNotSeen compares the default plans with
// themselves while, after the first simulated day, a payment settling A-1
// and C-1 on 02/09 is committed: both simulations read the ledger as it was
// when the comparison started (one exported snapshot), so neither sees it,
// and they agree on every client.
func TestACommitDuringTheRunIsNotSeen(t *testing.T) {
	ctx := context.Background()
	pool := seeded(t)
	committed := false
	rep, err := Run(ctx, pool, Options{Entity: "default", From: clock.Date(2025, 9, 1), To: clock.Date(2025, 10, 31),
		Old: Plan{Name: "a", Sweeper: sweeper(defaults(t))}, New: Plan{Name: "b", Sweeper: sweeper(defaults(t))},
		Progress: func(done, total int) {
			if committed {
				return
			}
			committed = true
			_, err := pool.Exec(ctx, `
				INSERT INTO allocation (invoice_id, source, amount, applied_on)
				SELECT id, 'import', amount_incl_vat, '2025-09-02' FROM invoice WHERE number IN ('A-1', 'C-1');
				UPDATE invoice SET settled = amount_incl_vat WHERE number IN ('A-1', 'C-1')`)
			if err != nil {
				t.Error(err)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !committed || len(rep.Clients) != 0 || rep.Old.Messages != 13 || rep.New.Messages != 13 {
		t.Errorf("payment committed %v; clients differing %+v; emails %d and %d, want 13 and 13", committed, rep.Clients,
			rep.Old.Messages, rep.New.Messages)
	}
}

// TestPlanDiffAgreesWithThePreview: over a period starting with no
// reminder history, each side of a plan diff sends what `relance preview`
// shows day by day with the same plan: they run the same sweep.
func TestPlanDiffAgreesWithThePreview(t *testing.T) {
	ctx := context.Background()
	pool := seeded(t)
	if _, err := pool.Exec(ctx, `DELETE FROM reminder`); err != nil {
		t.Fatal(err)
	}
	from, days := clock.Date(2025, 9, 1), 45
	for _, set := range []*plans.Set{defaults(t), plusSeven(t)} {
		rep, err := Run(ctx, pool, Options{Entity: "default", From: from, To: from.AddDate(0, 0, days-1),
			Old: Plan{Name: "a", Sweeper: sweeper(set)}, New: Plan{Name: "b", Sweeper: sweeper(set)}})
		if err != nil {
			t.Fatal(err)
		}
		pre, err := preview.Run(ctx, pool, preview.Options{Entity: "default", From: from, Days: days, Sweeper: sweeper(set), Plans: set})
		if err != nil {
			t.Fatal(err)
		}
		byLevel := map[int]*Counts{}
		var levels []int
		for _, d := range pre.Days {
			for _, m := range d.Messages {
				if byLevel[m.Level] == nil {
					byLevel[m.Level] = &Counts{}
					levels = append(levels, m.Level)
				}
				if m.Channel == "registered_letter" {
					byLevel[m.Level].Letters++
				} else {
					byLevel[m.Level].Messages++
				}
			}
		}
		slices.Sort(levels)
		var fromPreview, fromDiff []string
		for _, lv := range levels {
			fromPreview = append(fromPreview, fmt.Sprintf("%d:%d+%d", lv, byLevel[lv].Messages, byLevel[lv].Letters))
		}
		for _, lv := range rep.Total.Levels {
			fromDiff = append(fromDiff, fmt.Sprintf("%d:%d+%d", lv.Level, lv.Count.New.Messages, lv.Count.New.Letters))
		}
		if got, want := strings.Join(fromDiff, " "), strings.Join(fromPreview, " "); got != want || got == "" {
			t.Errorf("plan diff %s, preview %s", got, want)
		}
	}
}
