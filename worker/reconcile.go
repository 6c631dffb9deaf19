package worker

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/relance/relance/internal/clock"
)

//go:embed reconcile.sql
var reconcileSQL string

// Querier runs SQL; pgx.Tx and *pgxpool.Pool are ones.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Reconcile drops every pending reminder row whose send job will never send
// it (discarded, cancelled or deleted), so that the sweep decides it again,
// and records a 'reminder_undelivered' event per job with its last error.
// It returns how many rows it dropped, by the job's fate ("discarded",
// "cancelled", "deleted"). day is the business day the events are dated.
// See the package documentation for when it runs.
func Reconcile(ctx context.Context, q Querier, day time.Time) (map[string]int, error) {
	rows, err := q.Query(ctx, reconcileSQL, day)
	if err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reconcile: %w", err)
		}
		out[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	return out, nil
}

// logReturned says at WARN what a reconciliation returned to the sweep.
func logReturned(log *slog.Logger, returned map[string]int) {
	n := 0
	for _, c := range returned {
		n += c
	}
	if n > 0 {
		log.Warn("reminders whose send job died return to the sweep (decided again on the next business day)",
			"rows", n, "by_job_state", returned)
	}
}

// ReconcileArgs asks for a reconciliation outside the sweep: a job cancelled
// or deleted in River UI at 15:00 then shows as dropped within minutes
// rather than at the next morning's sweep.
type ReconcileArgs struct{}

// Kind implements river.JobArgs.
func (ReconcileArgs) Kind() string { return "relance_reconcile" }

// InsertOpts runs reconciliations on the sweep queue, one at a time.
func (ReconcileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSweep, MaxAttempts: 3}
}

// ReconcileEvery is how often the daemon's leader schedules a reconciliation.
const ReconcileEvery = 10 * time.Minute

// PeriodicReconcile is the reconciliation as a River periodic job.
func PeriodicReconcile() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(ReconcileEvery),
		func() (river.JobArgs, *river.InsertOpts) { return ReconcileArgs{}, nil },
		&river.PeriodicJobOpts{ID: "relance_reconcile"})
}

// ReconcileWorker works ReconcileArgs; the reconciliation and the job's
// completion commit together.
type ReconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	Pool     *pgxpool.Pool
	Clock    clock.Clock
	Location *time.Location
	Logger   *slog.Logger
	Counters Counters // nil: not counted
}

// Work reconciles.
func (w *ReconcileWorker) Work(ctx context.Context, job *river.Job[ReconcileArgs]) error {
	tx, err := w.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("reconcile: begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	returned, err := Reconcile(ctx, tx, clock.Today(w.Clock, loc))
	if err != nil {
		return err
	}
	// The daemon's housekeeping every ReconcileEvery (a sweep run from the
	// command line prunes too; the upcoming page only reads).
	if err := PrunePreviewChanges(ctx, tx); err != nil {
		return err
	}
	if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
		return fmt.Errorf("reconcile: complete job: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("reconcile: commit: %w", err)
	}
	logReturned(logger(w.Logger), returned)
	countReturned(w.Counters, returned)
	return nil
}

// Timeout: the reconciliation reads the live send jobs and the pending rows.
func (w *ReconcileWorker) Timeout(*river.Job[ReconcileArgs]) time.Duration { return time.Minute }

// countReturned counts the rows returned to the sweep as dropped, by reason.
func countReturned(c Counters, returned map[string]int) {
	if c == nil {
		return
	}
	for state, n := range returned {
		c.Dropped("job_"+state, n)
	}
}
