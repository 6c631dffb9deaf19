package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/watch"
)

// Scanner raises the alerts drawn from what the ledger and the engine
// record (*watch.Scanner).
type Scanner interface {
	Scan(ctx context.Context) (map[string]int, error)
}

// Digester sends the daily digest of a day to the credit managers
// (*digest.Sender); a digest already sent for the day is not sent again.
type Digester interface {
	Digest(ctx context.Context, day time.Time) error
}

// Watch is what the daemon runs beside the sweep and the sends: the alert
// scan every Every on the leader, and after each sweep the scan again and
// the day's digest.
type Watch struct {
	Scanner  Scanner
	Digester Digester      // nil: no digest
	Every    time.Duration // the scan's period; 0: DefaultWatchEvery
}

// DefaultWatchEvery is how often the leader scans for alerts: a missed
// sweep or a failed job shows within minutes.
const DefaultWatchEvery = 5 * time.Minute

// AfterSweepArgs is the job the daemon's sweep enqueues in its own
// transaction: it exists exactly when the sweep committed, and is unique
// per day, so the digest goes once a day, after the sweep.
type AfterSweepArgs struct {
	Day string `json:"day"` // YYYY-MM-DD, the day swept
}

// Kind implements river.JobArgs.
func (AfterSweepArgs) Kind() string { return "relance_after_sweep" }

// InsertOpts puts it on the sweep's queue, unique per day.
func (AfterSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSweep, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// WatchArgs is the periodic alert scan.
type WatchArgs struct{}

// Kind implements river.JobArgs.
func (WatchArgs) Kind() string { return "relance_watch" }

// InsertOpts puts the scan on the sweep's queue: it is short, and never
// waits behind a send backlog.
func (WatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSweep, MaxAttempts: 3}
}

// PeriodicWatch schedules the alert scan every every on the leader.
func PeriodicWatch(every time.Duration) *river.PeriodicJob {
	if every <= 0 {
		every = DefaultWatchEvery
	}
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return WatchArgs{}, nil },
		&river.PeriodicJobOpts{ID: "relance_watch", RunOnStart: true})
}

// WatchWorker works WatchArgs.
type WatchWorker struct {
	river.WorkerDefaults[WatchArgs]
	Scanner Scanner
	Logger  *slog.Logger
}

// Work scans once and logs what it raised.
func (w *WatchWorker) Work(ctx context.Context, _ *river.Job[WatchArgs]) error {
	raised, err := w.Scanner.Scan(ctx)
	if err != nil {
		return err
	}
	logRaised(logger(w.Logger), raised)
	return nil
}

// AfterSweepWorker works AfterSweepArgs: the scan, then the digest.
type AfterSweepWorker struct {
	river.WorkerDefaults[AfterSweepArgs]
	Watch  *Watch
	Logger *slog.Logger
}

// Work scans for alerts, so that the digest has the newest, then sends the
// day's digest. A retry resends only what did not go.
func (w *AfterSweepWorker) Work(ctx context.Context, job *river.Job[AfterSweepArgs]) error {
	day, err := clock.ParseDate(job.Args.Day)
	if err != nil {
		return river.JobCancel(fmt.Errorf("after sweep: %w", err))
	}
	raised, err := w.Watch.Scanner.Scan(ctx)
	if err != nil {
		return err
	}
	logRaised(logger(w.Logger), raised)
	if w.Watch.Digester == nil {
		return nil
	}
	return w.Watch.Digester.Digest(ctx, day)
}

// afterSweep records, in the sweep's transaction, that the sweep of day
// ran and enqueues the job that follows it.
func afterSweep(ctx context.Context, tx pgx.Tx, client *river.Client[pgx.Tx], day time.Time, res SweepResult) error {
	if err := watch.SweepDone(ctx, tx, day, "relance", len(res.Decisions), len(res.Jobs)); err != nil {
		return err
	}
	if _, err := client.InsertTx(ctx, tx, AfterSweepArgs{Day: formatDay(day)}, nil); err != nil {
		return fmt.Errorf("sweep: enqueue what follows it: %w", err)
	}
	return nil
}

func logRaised(log *slog.Logger, raised map[string]int) {
	for kind, n := range raised {
		log.Warn("alert raised", "kind", kind, "count", n)
	}
}
