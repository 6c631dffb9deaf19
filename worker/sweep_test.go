package worker

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/pgtest"
)

// TestSweepLadder steps one invoice through the standard plan with weekends
// and checks the day of every step by hand.
func TestSweepLadder(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	c := f.client("C1", "c1@example.fr")
	// Due Monday 2025-03-10. pre_due at -5 = Wed 03-05; level1 at +1 = Tue 03-11;
	// level2 at +15 = Tue 03-25; level3 at +31 = Thu 04-10; level4 at +45 = Thu 04-24;
	// level5 at +61 = Sat 05-10 → Mon 05-12; provision at +121 = Wed 07-09.
	f.invoice(c, "F1", "2025-02-08", "2025-03-10", 120000)
	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars()}
	jobs := insertOnlyClient(t, pool)
	var got []string
	for day := d("2025-03-01"); !day.After(d("2025-07-31")); day = day.AddDate(0, 0, 1) {
		res := sweepAndSend(t, pool, s, jobs, day)
		for _, dec := range res.Decisions {
			got = append(got, fmt.Sprintf("%s %s", formatDay(day), dec.StepID))
		}
	}
	want := []string{
		"2025-03-05 pre_due", "2025-03-11 level1", "2025-03-25 level2", "2025-04-10 level3",
		"2025-04-24 level4", "2025-05-12 level5", "2025-07-09 provision",
	}
	if !slices.Equal(got, want) {
		t.Errorf("decisions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func decisionsOf(res SweepResult) []string {
	var out []string
	for _, dec := range res.Decisions {
		out = append(out, fmt.Sprintf("%d/%s", dec.InvoiceID, dec.StepID))
	}
	return out
}

// TestSweepBlockers checks on one day each reason that stops a step, next to
// an invoice that gets it.
func TestSweepBlockers(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	day := "2025-04-01" // a Tuesday; invoices due 2025-03-20 are 12 days late: level1 due
	inv := func(code string) int64 {
		c := f.client(code, code+"@example.fr")
		return f.invoice(c, "F-"+code, "2025-02-18", "2025-03-20", 50000)
	}
	ok := inv("OK")
	paid := inv("PAID")
	f.pay(paid, "2025-03-30", 50000)
	paidLater := inv("PAIDLATER") // paid after D: as of D still open
	f.pay(paidLater, "2025-04-05", 50000)
	partial := inv("SMALL") // 5.00 left: below min_amount 10.00
	f.pay(partial, "2025-03-25", 49500)
	disputed := inv("DISP")
	f.exec(`INSERT INTO dispute (invoice_id, reason, opened_on) VALUES ($1, 'damaged', '2025-03-28')`, disputed)
	resolved := inv("RESOLVED")
	f.exec(`INSERT INTO dispute (invoice_id, reason, opened_on, resolved_on) VALUES ($1, 'x', '2025-03-01', '2025-03-31')`, resolved)
	promised := inv("PROM")
	f.exec(`INSERT INTO promise (invoice_id, client_id, promised_on, pay_by, until) SELECT id, client_id, '2025-03-25', '2025-04-10', '2025-04-10' FROM invoice WHERE id = $1`, promised)
	excluded := inv("EXCL")
	f.exec(`UPDATE invoice SET excluded = true WHERE id = $1`, excluded)
	insolvent := inv("INSOLV")
	f.exec(`UPDATE client SET insolvency_opened_on = '2025-03-15' WHERE id = (SELECT client_id FROM invoice WHERE id = $1)`, insolvent)
	credited := inv("CREDIT") // an unapplied payment covers the whole debt: net balance 0
	f.exec(`INSERT INTO payment (entity_id, client_id, received_on, amount) SELECT 1, client_id, '2025-03-29', 50000 FROM invoice WHERE id = $1`, credited)
	noEmail := f.invoice(f.client("NOMAIL", ""), "F-NOMAIL", "2025-02-18", "2025-03-20", 50000)
	letterOnly := noEmail // level1 is an email step: nothing for a client without address

	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars()}
	res := sweepDay(t, pool, s, insertOnlyClient(t, pool), d(day))
	got := decisionsOf(res)
	want := []string{fmt.Sprintf("%d/level1", ok), fmt.Sprintf("%d/level1", paidLater), fmt.Sprintf("%d/level1", resolved)}
	if !slices.Equal(got, want) {
		t.Errorf("decisions %v, want %v (paid %d, small %d, disputed %d, promised %d, excluded %d, insolvent %d, credited %d, no email %d)",
			got, want, paid, partial, disputed, promised, excluded, insolvent, credited, letterOnly)
	}
	if len(res.Jobs) != 3 {
		t.Errorf("%d send jobs, want one per client: 3", len(res.Jobs))
	}
	// The insolvent client's claim declaration: publication + 2 months, once,
	// on a business day: 25 May 2025 is a Sunday, so Monday 26.
	f.exec(`UPDATE client SET insolvency_published_on = '2025-03-25' WHERE code = 'INSOLV'`)
	if res := sweepDay(t, pool, s, insertOnlyClient(t, pool), d("2025-04-02")); res.Tasks != 1 {
		t.Errorf("%d tasks, want the claim declaration", res.Tasks)
	}
	sweepDay(t, pool, s, insertOnlyClient(t, pool), d("2025-04-03"))
	var due string
	var n int
	if err := pool.QueryRow(t.Context(), `SELECT max(due_on)::text, count(*) FROM task WHERE kind = 'claim_declaration'`).Scan(&due, &n); err != nil || due != "2025-05-26" || n != 1 {
		t.Errorf("claim declaration tasks: %d due %s (%v), want 1 due 2025-05-26", n, due, err)
	}
}

// TestSweepLateArrivalClimbsOneLevelPerGap: an invoice first seen 100 days
// late starts at level 1 and climbs one level per min_gap (7 days).
func TestSweepLateArrivalClimbsOneLevelPerGap(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	f.invoice(f.client("LATE", "late@example.fr"), "F1", "2024-12-01", "2025-01-01", 100000)
	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars()}
	jobs := insertOnlyClient(t, pool)
	var got []string
	for day := d("2025-04-11"); !day.After(d("2025-05-20")); day = day.AddDate(0, 0, 1) {
		for _, dec := range sweepAndSend(t, pool, s, jobs, day).Decisions {
			got = append(got, formatDay(day)+" "+dec.StepID)
		}
	}
	// Fri 04-11 level1 and the provision (due+121 = 05-02? no: 2025-01-01+121 = 2025-05-02);
	// level2 Fri 04-18, level3 Fri 04-25, level4 Fri 05-02 with the provision, level5 Fri 05-09.
	want := []string{"2025-04-11 level1", "2025-04-18 level2", "2025-04-25 level3",
		"2025-05-02 level4", "2025-05-02 provision", "2025-05-09 level5"}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var amount, excl int64
	var bucket string
	if err := pool.QueryRow(t.Context(), `SELECT bucket, outstanding_excl_vat, amount FROM provision`).Scan(&bucket, &excl, &amount); err != nil {
		t.Fatal(err)
	}
	// 1,000.00 incl. VAT with 833.33 excl. (10/12): ratio gives 833.33, 100% at 121+.
	if bucket != "d121_plus" || excl != 83333 || amount != 83333 {
		t.Errorf("provision %s %d %d, want d121_plus 83333 83333", bucket, excl, amount)
	}
}

// TestSweepReplayAndRerun: running a day twice records nothing new and
// enqueues nothing; replaying every past day afterwards finds exactly the
// decisions of that day.
func TestSweepReplayAndRerun(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	for i := range 6 {
		c := f.client(fmt.Sprintf("C%d", i), fmt.Sprintf("c%d@example.fr", i))
		for j := range 3 {
			due := d("2025-03-03").AddDate(0, 0, 9*i+13*j)
			f.invoice(c, fmt.Sprintf("F%d-%d", i, j), "2025-01-15", formatDay(due), money.Amount(30000+1000*i))
		}
	}
	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars()}
	jobs := insertOnlyClient(t, pool)
	first := map[string][]string{}
	for day := d("2025-02-20"); !day.After(d("2025-06-30")); day = day.AddDate(0, 0, 1) {
		res := sweepAndSend(t, pool, s, jobs, day)
		first[formatDay(day)] = decisionsOf(res)
		again := sweepDay(t, pool, s, jobs, day)
		if len(again.Jobs) != 0 || !slices.Equal(decisionsOf(again), decisionsOf(res)) {
			t.Fatalf("%s: second run enqueued %d jobs, decided %v, first %v", formatDay(day), len(again.Jobs), decisionsOf(again), decisionsOf(res))
		}
		for _, dec := range again.Decisions {
			if dec.Fresh {
				t.Fatalf("%s: second run recorded %v again", formatDay(day), dec)
			}
		}
	}
	total := 0
	for day := d("2025-02-20"); !day.After(d("2025-06-30")); day = day.AddDate(0, 0, 1) {
		res := sweepDay(t, pool, s, jobs, day)
		total += len(res.Decisions)
		if got, want := decisionsOf(res), first[formatDay(day)]; !slices.Equal(got, want) {
			t.Errorf("replay of %s: %v, the day itself: %v", formatDay(day), got, want)
		}
	}
	// 18 invoices × (pre_due + level1..5), but F4-2 (due 05-04) and F5-2
	// (due 05-13) reach level 5 only in July.
	if total != 18*6-2 {
		t.Errorf("%d decisions in total, want 106", total)
	}
}

// TestSweepHonoursTheSendWindow: the 07:00 sweep schedules its messages for
// the window's opening at 09:00 local time; a replay sends at once.
func TestSweepHonoursTheSendWindow(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	f.invoice(f.client("W", "w@example.fr"), "F-W", "2025-08-01", "2025-09-01", 50000)
	paris, _ := time.LoadLocation("Europe/Paris")
	window, err := ParseSendWindow("09:00-18:00", paris)
	if err != nil {
		t.Fatal(err)
	}
	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars(), Window: window,
		Clock: clock.Fixed(time.Date(2025, 9, 2, 7, 0, 0, 0, paris))}
	ctx := t.Context()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	res, err := s.Run(ctx, tx, insertOnlyClient(t, pool), d("2025-09-02"), SweepOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var at time.Time
	var state string
	if err := tx.QueryRow(ctx, `SELECT scheduled_at, state FROM river_job WHERE id = $1`, res.JobIDs[0]).Scan(&at, &state); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 9, 2, 9, 0, 0, 0, paris); !at.Equal(want) || state != "scheduled" {
		t.Errorf("job %s at %s, want scheduled at %s", state, at.In(paris), want)
	}
}

// TestSweepStatementIsPlannedForEachDay: a preview runs the sweep statement
// once per simulated day on one connection. Prepared, PostgreSQL would
// switch it to a generic plan (built without the day) from the sixth run;
// it is sent unnamed instead, planned with its parameters every time, and
// without plan_cache_mode forced for the whole statement (that replanned
// the foreign-key check of every reminder row it inserts).
func TestSweepStatementIsPlannedForEachDay(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	c := f.client("PLAN", "plan@example.fr")
	f.invoice(c, "F-PLAN", "2025-01-02", "2025-02-03", 100000)
	s := &Sweeper{Plans: standardPlan(), Calendars: frCalendars}
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // nothing to keep
	jobs := insertOnlyClient(t, pool)
	decided := 0
	for i := range 8 {
		res, err := s.Run(ctx, tx, jobs, d("2025-03-03").AddDate(0, 0, 7*i), SweepOptions{Now: true})
		if err != nil {
			t.Fatal(err)
		}
		decided += len(res.Decisions)
	}
	if decided == 0 {
		t.Fatal("no sweep decided anything: the case tests nothing")
	}
	var prepared int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM pg_prepared_statements WHERE statement = $1`, sweepSQL).Scan(&prepared); err != nil {
		t.Fatal(err)
	}
	if prepared != 0 {
		t.Fatalf("the sweep statement is prepared on the connection (%d): from its sixth run it may be planned without its day", prepared)
	}
	var mode string
	if err := tx.QueryRow(ctx, `SELECT current_setting('plan_cache_mode')`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "auto" {
		t.Fatalf("plan_cache_mode is %s after the sweeps, want auto", mode)
	}
}

// TestSweepCountriesAreEveryClientsCountry: the countries whose calendars
// the sweep fills are found by a skip over client_country_idx
// (sweep_countries.sql), one probe per country: each country of a client
// must come out once, in order, as a DISTINCT over every client gives them.
func TestSweepCountriesAreEveryClientsCountry(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	for i, country := range []string{"FR", "DE", "FR", "BE", "ES", "DE", "LU", "FR"} {
		f.exec(`INSERT INTO client (entity_id, code, name, country) VALUES (1, $1, $1, $2)`, fmt.Sprintf("C%d", i), country)
	}
	got := queryStrings(t, pool, sweepCountriesSQL)
	want := queryStrings(t, pool, `SELECT DISTINCT country FROM client ORDER BY 1`)
	if !slices.Equal(got, want) || len(want) != 5 {
		t.Fatalf("countries %v, want %v (5)", got, want)
	}
}

// TestSweepHashesWithAtLeastTheBenchmarksMemory: the sweep raises work_mem
// for its transaction to the 64MB `make bench` measures with (on
// PostgreSQL's default 4MB, the first sweep after importing a million
// invoices rescanned its due wakes for every invoice read: more than 6
// minutes, against 46 s), and never lowers what the server gives.
func TestSweepHashesWithAtLeastTheBenchmarksMemory(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewDB(t)
	ctx := t.Context()
	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars()}
	for _, tc := range []struct{ server, want string }{{"4MB", "64MB"}, {"256MB", "256MB"}} {
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('work_mem', $1, true)`, tc.server); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Run(ctx, tx, nopInserter{}, d("2025-03-05"), SweepOptions{Now: true}); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := tx.QueryRow(ctx, `SHOW work_mem`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("server's work_mem %s: the sweep ran with %s, want %s", tc.server, got, tc.want)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
