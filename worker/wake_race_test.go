package worker

import (
	"context"
	"testing"
	"time"

	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
)

// TestSweepKeepsAWakeResetCommittedWhileItRuns: the sweep statement writes
// the next wake days of what it read without locking them first; a writer
// that resets a wake meanwhile (an invoice changed: the triggers of
// migration 00161 always write the row) must win, or the invoice would
// sleep past a step the change brought closer. The reset is held open on
// another connection until the sweep statement waits for its row, then
// committed: the sweep's write, guarded by the ctid it read, finds a newer
// version and leaves it, so the wake is the reset's, not the day the sweep
// computed.
func TestSweepKeepsAWakeResetCommittedWhileItRuns(t *testing.T) {
	t.Parallel()
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	id := f.invoice(f.client("RACE", "race@example.fr"), "RACE-1", "2025-02-01", "2025-03-01", 100000)
	s := &Sweeper{Plans: set, Calendars: frCalendars}
	jobs := insertOnlyClient(t, pool)
	sweepDay(t, pool, s, jobs, d("2025-02-03")) // the plan in place: the next sweep reads through the wake days

	reset, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reset.Rollback(ctx) //nolint:errcheck // committed below
	if _, err := reset.Exec(ctx, `UPDATE sweep_wake SET wake_on = '-infinity' WHERE invoice_id = $1`, id); err != nil {
		t.Fatal(err)
	}

	type outcome struct {
		res SweepResult
		err error
	}
	swept := make(chan outcome, 1)
	go func() { // t.Fatal belongs to the test's goroutine: the outcome goes back
		var o outcome
		tx, err := pool.Begin(ctx)
		if o.err = err; err == nil {
			defer tx.Rollback(ctx) //nolint:errcheck // committed when the sweep succeeds
			if o.res, o.err = s.Run(ctx, tx, jobs, d("2025-04-01"), SweepOptions{Now: true}); o.err == nil {
				o.err = tx.Commit(ctx)
			}
		}
		swept <- o
	}()

	// The sweep statement reads the old row (the reset is not committed)
	// and waits for its lock when it writes the wake it computed.
	waiting := false
	for range 3000 {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '-- The daily sweep:%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if waiting = n > 0; waiting {
			break
		}
		select {
		case o := <-swept:
			t.Fatalf("the sweep ended without waiting for the reset's row (%v, %d decisions)", o.err, len(o.res.Decisions))
		case <-time.After(10 * time.Millisecond):
		}
	}
	if !waiting {
		rows, _ := pool.Query(ctx, `SELECT coalesce(wait_event_type, ''), coalesce(wait_event, ''), state, left(query, 300) FROM pg_stat_activity WHERE datname = current_database()`)
		for rows.Next() {
			var a, b, c, q string
			_ = rows.Scan(&a, &b, &c, &q)
			t.Logf("%s %s %s %q", a, b, c, q)
		}
		rows.Close()
		t.Fatal("the sweep statement never waited for the row the reset holds")
	}
	if err := reset.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	o := <-swept
	if o.err != nil {
		t.Fatal(o.err)
	}
	res := o.res
	if !res.Fast {
		t.Fatal("the sweep read the whole ledger, not through the wake days")
	}
	took := false
	for _, dec := range res.Decisions {
		took = took || dec.InvoiceID == id
	}
	if !took {
		t.Fatal("the sweep took no step on RACE-1: it had no wake of its own to write")
	}
	var wake string
	if err := pool.QueryRow(ctx, `SELECT wake_on::text FROM sweep_wake WHERE invoice_id = $1`, id).Scan(&wake); err != nil {
		t.Fatal(err)
	}
	if wake != "-infinity" {
		t.Fatalf("wake of RACE-1 after the race: %s, want the reset's -infinity (the sweep overwrote a reset it never saw)", wake)
	}
}
