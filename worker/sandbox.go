package worker

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed sandbox_twins.sql
var sandboxTwinsSQL string

//go:embed sandbox_history.sql
var sandboxHistorySQL string

//go:embed sandbox_morning.sql
var sandboxMorningSQL string

//go:embed sandbox_review.sql
var sandboxReviewSQL string

//go:embed sandbox_swap.sql
var sandboxSwapSQL string

//go:embed sandbox_check.sql
var sandboxCheckSQL string

// Sandbox turns tx, a transaction its caller will roll back, into a place
// where sweeps can run for simulated days (SweepOptions.Sandboxed): every
// table a sweep writes (the reminder ledger, provisions, tasks, events,
// promises and disputes, which Settle closes, the business-day cache, and
// the wake days, which only the daily sweep writes but its statement names)
// gets a temporary twin that takes its name for the rest of tx. The ledger
// itself is only read, so the sweep decides from the one definition of the
// rules; nothing it writes is seen by another session or locks a real row,
// and two sandboxes never wait for each other or for the daemon.
//
// The reminder twin holds the history as it stood on the morning of from
// (sandbox_history.sql, sandbox_morning.sql): the reminders decided before
// from, each counted as sent on the day it went out, or on from if it had
// not gone out by then. What was really decided on from or later is left
// out: the simulation decides those days for itself.
//
// The provision review's state comes with it when it holds for from and tx
// is repeatable read, so that every copy is of one snapshot
// (sandbox_review.sql): the first day's review reads only what may have
// changed since the daemon's last review, as the daemon's sweep of from
// would, with the journal entries it reads back. Otherwise (no review yet,
// a replay, from before the last day reviewed, a read-committed tx) the
// first review is a full one over empty twins.
func Sandbox(ctx context.Context, tx pgx.Tx, from time.Time) error {
	if _, err := tx.Exec(ctx, sandboxTwinsSQL); err != nil {
		return fmt.Errorf("sandbox: twins: %w", err)
	}
	if _, err := tx.Exec(ctx, sandboxHistorySQL, from); err != nil {
		return fmt.Errorf("sandbox: reminders before %s: %w", formatDay(from), err)
	}
	// Noon UTC is the same date in every time zone of the plans' countries.
	if _, err := tx.Exec(ctx, sandboxMorningSQL, from, from.Add(12*time.Hour)); err != nil {
		return fmt.Errorf("sandbox: reminders waiting on %s: %w", formatDay(from), err)
	}
	if _, err := tx.Exec(ctx, sandboxReviewSQL, from); err != nil {
		return fmt.Errorf("sandbox: provision review's state: %w", err)
	}
	if _, err := tx.Exec(ctx, sandboxSwapSQL); err != nil {
		return fmt.Errorf("sandbox: swap: %w", err)
	}
	return checkSandbox(ctx, tx)
}

// checkSandbox refuses a transaction in which a table the sweep writes is
// still the real one: a sandboxed run takes no sweep lock, so it must not
// write anything a real sweep reads.
func checkSandbox(ctx context.Context, tx pgx.Tx) error {
	var real []string
	if err := tx.QueryRow(ctx, sandboxCheckSQL).Scan(&real); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if len(real) > 0 {
		return fmt.Errorf("sandbox: %s not shadowed by a temporary table (worker.Sandbox first)", strings.Join(real, ", "))
	}
	return nil
}
