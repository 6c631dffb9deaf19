package preview

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/worker"
)

// TestSandboxedPreviewDecidesAsThePreviewOnTheRealTables: on a portfolio
// with a reminder history (36 days swept and sent, then four days swept
// whose messages are still pending on live send jobs), disputes, promises,
// pauses, cases and provisions, the preview (in a sandbox, worker.Sandbox)
// says, day by day, exactly what the preview said when it swept the real
// tables in a transaction it rolled back, once that transaction counts the
// pending reminders as gone out on the first morning, as the sandbox does.
// Both from a first day the daemon already swept (its decisions found
// again) and from the next one.
//
// Without that morning the real tables' preview differs in one way, by
// design of the old run and not of the rules: a reminder pending on a live
// send job stays pending through every simulated day (nothing in a dry run
// sends it), so each later level of its invoice is held "waiting" for the
// whole range, where the daemon sends it at the window's opening and the
// next level waits the minimum gap from there: the sandbox's answer.
func TestSandboxedPreviewDecidesAsThePreviewOnTheRealTables(t *testing.T) {
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db := pgtest.NewDB(t)
	start := clock.Date(2025, 4, 1)
	const history, days = 40, 21
	invoices := randomPortfolio(t, db, rand.New(rand.NewPCG(7, 3)), start, history+days)
	randomCases(t, db, rand.New(rand.NewPCG(8, 4)), start, history+days, invoices)
	s := sweeper(set)
	jobs := insertOnly(t, db)
	for n := range history - 4 {
		sweepAndSend(t, db, s, jobs, start.AddDate(0, 0, n))
	}
	// The last four days' messages have not gone out: their jobs wait
	// for the send window.
	swept := start.AddDate(0, 0, history-1)
	for d := start.AddDate(0, 0, history-4); !d.After(swept); d = d.AddDate(0, 0, 1) {
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Run(ctx, tx, jobs, d, worker.SweepOptions{Now: true}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var pending, live int
	if err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM reminder WHERE status = 'pending'),
		(SELECT count(*) FROM river_job WHERE state = 'available')`).Scan(&pending, &live); err != nil || pending == 0 || live == 0 {
		t.Fatalf("%d reminders pending on %d live jobs: want some (%v)", pending, live, err)
	}

	for _, from := range []time.Time{swept, swept.AddDate(0, 0, 1)} {
		opts := Options{Entity: "default", From: from, Days: days, Sweeper: s, Plans: set}
		sandboxed, err := Run(ctx, db, opts)
		if err != nil {
			t.Fatal(err)
		}
		real := onRealTables(t, db, opts)
		messages, proposals, reasons := 0, 0, map[plans.Reason]int{}
		for i := range real.Days {
			if got, want := fmt.Sprintf("%+v", sandboxed.Days[i]), fmt.Sprintf("%+v", real.Days[i]); got != want {
				t.Errorf("from %s, %s: the sandbox says\n%s\nthe real tables\n%s", from.Format(time.DateOnly), real.Days[i].Date, got, want)
			}
			messages += len(real.Days[i].Messages)
			proposals += len(real.Days[i].Provisions)
			for _, h := range real.Days[i].Held {
				reasons[h.Reason]++
			}
		}
		if messages < 10 || proposals == 0 || reasons[plans.Dispute] == 0 || reasons[plans.Promise] == 0 || reasons[plans.Gap] == 0 {
			t.Errorf("from %s: %d messages, %d provisions, held %v: the portfolio exercises too little", from.Format(time.DateOnly),
				messages, proposals, reasons)
		}
		t.Logf("from %s: %d messages, %d provisions, held %v", from.Format(time.DateOnly), messages, proposals, reasons)
	}
}

// onRealTables is the preview as it ran before the sandbox: the sweeps of
// the days on the real tables in a transaction rolled back, which takes the
// sweep lock; its first statement counts the reminders not out by the
// morning of the first day as gone out on it, as worker.Sandbox does.
func onRealTables(t *testing.T, db *pgxpool.Pool, opts Options) *Report {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // the point: nothing is kept
	if _, err := tx.Exec(ctx, `UPDATE reminder SET status = 'sent', sent_on = $1, sent_at = $2
		WHERE status = 'pending' OR (status = 'sent' AND sent_on >= $1)`, opts.From, opts.From.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rep := &Report{Entity: opts.Entity}
	for i := range opts.Days {
		res, err := SimulateDay(ctx, tx, opts.Sweeper, opts.From.AddDate(0, 0, i), worker.SweepOptions{Explain: true})
		if err != nil {
			t.Fatal(err)
		}
		day, err := describe(ctx, tx, res, opts)
		if err != nil {
			t.Fatal(err)
		}
		rep.Days = append(rep.Days, day)
	}
	return rep
}
