package worker

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/robfig/cron/v3"

	"github.com/relance/relance/internal/clock"
)

// SweepWorker works SweepArgs: the sweep of one day and the job's completion
// commit together, so a crash mid-sweep leaves nothing and River runs it again.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Pool    *pgxpool.Pool
	Sweeper *Sweeper
	Logger  *slog.Logger
	// RateGaps reports the reference rates missing for a day's half-year
	// (penalty.Calculator.Gaps); each is logged as a warning after the
	// sweep, so a daemon running into a new half-year says so. Nil: none.
	RateGaps func(day time.Time) []error
	// Watch, when set, has the sweep record that it ran and enqueue what
	// follows it (AfterSweepArgs: the alert scan and the digest).
	Watch *Watch
}

// Work runs the sweep of job.Args.Day, enqueueing sends through the River
// client working the job.
func (w *SweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	day, err := clock.ParseDate(job.Args.Day)
	if err != nil {
		return river.JobCancel(fmt.Errorf("sweep: %w", err))
	}
	client := river.ClientFromContext[pgx.Tx](ctx)
	tx, err := w.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("sweep: begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	res, err := w.Sweeper.Run(ctx, tx, client, day, SweepOptions{})
	if err != nil {
		return err
	}
	if w.Watch != nil {
		if err := afterSweep(ctx, tx, client, day, res); err != nil {
			return err
		}
	}
	if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
		return fmt.Errorf("sweep: complete job: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("sweep: commit: %w", err)
	}
	logReturned(logger(w.Logger), res.Returned)
	logger(w.Logger).Info("sweep done", "day", job.Args.Day, "decisions", len(res.Decisions),
		"steps", res.StepCounts(), "messages", len(res.Jobs), "provisions", len(res.Proposals), "journal", res.Journal, "tasks", res.Tasks)
	if w.RateGaps != nil {
		for _, gap := range w.RateGaps(day) {
			logger(w.Logger).Warn("penalty rate missing", "day", job.Args.Day, "err", gap)
		}
	}
	return nil
}

// SweepTimeout gives a sweep over a million invoices room (it takes seconds;
// River's default, one minute, could cancel a slow one halfway and roll it
// back every attempt) while keeping the sweep of a killed process waiting
// minutes, not an hour: River rescues a running job only once its own
// timeout has passed.
const SweepTimeout = 10 * time.Minute

// Timeout is SweepTimeout.
func (w *SweepWorker) Timeout(*river.Job[SweepArgs]) time.Duration { return SweepTimeout }

// RescueAfter is how long River waits before it takes a running send job
// for one of a killed process and retries it: the job's own timeout and
// half again, so that a job still running somewhere is never taken. With
// the default two-minute timeout a dead replica's sends resume within
// three minutes and a half (River's rescuer looks every 30 seconds),
// instead of River's default hour.
func RescueAfter(sendTimeout time.Duration) time.Duration { return sendTimeout + sendTimeout/2 }

// ParseSchedule reads a standard 5-field cron expression in loc
// ("0 7 * * *" is 07:00 every day, local time).
func ParseSchedule(expr string, loc *time.Location) (cron.Schedule, error) {
	if strings.HasPrefix(strings.TrimSpace(expr), "CRON_TZ=") || strings.HasPrefix(strings.TrimSpace(expr), "TZ=") {
		return nil, fmt.Errorf("sweep.schedule %q: set the zone with the timezone key, not in the expression", expr)
	}
	s, err := cron.ParseStandard("CRON_TZ=" + loc.String() + " " + expr)
	if err != nil {
		return nil, fmt.Errorf("sweep.schedule %q: %w", expr, err)
	}
	return s, nil
}

// PeriodicSweep is the daily sweep as a River periodic job. Only the elected
// leader schedules periodic jobs, and SweepArgs is unique per day, so any
// number of replicas may run it. RunOnStart catches up a day whose scheduled
// time passed while no leader was up (a deploy at 07:00); a leader starting
// before the day's scheduled time waits for it, so the sweep never runs ahead
// of the morning's imports.
func PeriodicSweep(schedule cron.Schedule, clk clock.Clock, loc *time.Location) *river.PeriodicJob {
	return river.NewPeriodicJob(schedule, sweepConstructor(schedule, clk, loc),
		&river.PeriodicJobOpts{ID: "relance_daily_sweep", RunOnStart: true})
}

// sweepConstructor returns the sweep of today in loc, or nil before today's
// first scheduled time.
func sweepConstructor(schedule cron.Schedule, clk clock.Clock, loc *time.Location) river.PeriodicJobConstructor {
	return func() (river.JobArgs, *river.InsertOpts) {
		now := clk.Now().In(loc)
		y, m, d := now.Date()
		first := schedule.Next(time.Date(y, m, d, 0, 0, 0, 0, loc).Add(-time.Second))
		// A minute of slack: the scheduler may call a hair before the mark.
		if now.Add(time.Minute).Before(first) {
			return nil, nil
		}
		return SweepArgs{Day: formatDay(clock.DateOf(now, loc))}, nil
	}
}

// sendFetchCooldown is the least time between two fetches of the send queue.
// River's default, 100 ms, capped a busy queue at MaxWorkers jobs ten times
// a second; at 5 ms each fetch took one or two jobs (3,600 fetches for
// 10,000 messages, 4 s of the database's time); at 20 ms it takes about
// eight, while the 16 workers still outnumber the SMTP connections they
// wait for.
const sendFetchCooldown = 20 * time.Millisecond

// sendJobsPerWorker is how many send jobs River hands the process per send
// worker. River fetches a queue at most every sendFetchCooldown and never
// more jobs than it has free slots: with one slot per worker, and each
// worker's job waiting for one of the relay's few connections, a fetch
// every 20 ms found about 13 slots free, and that, not the relay, capped a
// drain at about 650 messages a second. The jobs beyond the workers wait in
// the process for a worker (SendWorker.Concurrency), holding nothing.
const sendJobsPerWorker = 4

// sendJobsInHand is how many send jobs River hands a process with workers
// send workers: sendJobsPerWorker each, or one each under a rate limit.
func sendJobsInHand(workers, ratePerMinute int) int {
	if ratePerMinute > 0 {
		return workers
	}
	return workers * sendJobsPerWorker
}

// ClientOptions assemble a River client working relance's queues.
type ClientOptions struct {
	Pool    *pgxpool.Pool
	Sweeper *Sweeper
	Sender  *SendWorker
	// SendConcurrency is how many sends run at once (sweep.send_concurrency):
	// each holds a database connection for its transaction.
	SendConcurrency int
	// SendRatePerMinute is the relay's rate limit (mail.smtp.rate_per_minute;
	// 0: none). Under a rate the relay, not River's fetch, sets the pace,
	// and a job waiting for its turn would spend its timeout: River then
	// hands out no more send jobs than there are workers.
	SendRatePerMinute int
	// Periodic jobs are scheduled by the leader (serve: the daily sweep and
	// the reconciliation); none for the CLI.
	Periodic []*river.PeriodicJob
	// Work false builds an insert-only client (no queues worked).
	Work   bool
	Logger *slog.Logger
	// FetchPollInterval overrides River's poll interval (tests, drains).
	FetchPollInterval time.Duration
	// ID names this client among the replicas (River UI, river_leader);
	// empty: River's own, the host name and the start time.
	ID string
	// RateGaps, when set, is checked after every sweep; see SweepWorker.
	RateGaps func(day time.Time) []error
	// Watch, when set, adds the alert scan (WatchArgs, scheduled by
	// PeriodicWatch among Periodic) and what follows each sweep
	// (AfterSweepArgs).
	Watch *Watch
}

// NewClient builds the River client: workers for SweepArgs and SendArgs,
// queues sweep (1 worker) and send (SendConcurrency workers, with up to
// sendJobsPerWorker jobs each in hand unless the relay has a rate limit).
func NewClient(o ClientOptions) (*river.Client[pgx.Tx], error) {
	if o.Pool == nil || o.Sweeper == nil || o.Sender == nil {
		return nil, errors.New("worker: client needs a pool, a sweeper and a send worker")
	}
	o.Sender.Concurrency = max(o.SendConcurrency, 1)
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &SweepWorker{Pool: o.Pool, Sweeper: o.Sweeper, Logger: o.Logger, RateGaps: o.RateGaps, Watch: o.Watch}); err != nil {
		return nil, err
	}
	if o.Watch != nil {
		if err := river.AddWorkerSafely(workers, &WatchWorker{Scanner: o.Watch.Scanner, Logger: o.Logger}); err != nil {
			return nil, err
		}
		if err := river.AddWorkerSafely(workers, &AfterSweepWorker{Watch: o.Watch, Logger: o.Logger}); err != nil {
			return nil, err
		}
	}
	if err := river.AddWorkerSafely[SendArgs](workers, o.Sender); err != nil {
		return nil, err
	}
	reconciler := &ReconcileWorker{Pool: o.Pool, Clock: o.Sender.Clock, Location: o.Sender.Location, Logger: o.Logger, Counters: o.Sender.Counters}
	if err := river.AddWorkerSafely(workers, reconciler); err != nil {
		return nil, err
	}
	sendTimeout := o.Sender.Timeout(nil)
	cfg := &river.Config{ID: o.ID, Workers: workers, Logger: o.Logger, FetchPollInterval: o.FetchPollInterval,
		// Every worker sets its own timeout; River wants the client's no
		// longer than the rescue delay.
		JobTimeout:           sendTimeout,
		RescueStuckJobsAfter: RescueAfter(sendTimeout),
	}
	if o.FetchPollInterval > 0 && o.FetchPollInterval < 100*time.Millisecond {
		cfg.FetchCooldown = o.FetchPollInterval // River's default cooldown is 100ms and may not exceed the poll
	}
	if o.Work {
		cfg.Queues = map[string]river.QueueConfig{
			QueueSweep: {MaxWorkers: 1},
			// A send job is short; River's default 100 ms between fetches
			// would cap a busy send queue at MaxWorkers ten times a second.
			QueueSend: {MaxWorkers: sendJobsInHand(o.Sender.Concurrency, o.SendRatePerMinute), FetchCooldown: sendFetchCooldown},
		}
		cfg.PeriodicJobs = o.Periodic
	}
	c, err := river.NewClient(riverpgxv5.New(o.Pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("worker: river client: %w", err)
	}
	return c, nil
}

// DrainResult counts how the drained jobs ended.
type DrainResult struct {
	Completed, Cancelled, Discarded int
	// Waiting is the jobs not finalized when the drain stopped: the send
	// queue paused (Paused says why) or the context ended.
	Waiting int
	Running int   // of Waiting, those running (perhaps in a killed process, until River rescues them)
	Paused  Pause // the send queue when the drain stopped
	// Held is, of Waiting, the jobs the freshness guard snoozed: their
	// entity's payment data is stale, and they wait for fresh data.
	Held int
}

// Failed is the number of jobs that did not complete.
func (r DrainResult) Failed() int { return r.Cancelled + r.Discarded }

// drainStateSQL counts the jobs of a drain by state.
//
//go:embed drain_state.sql
var drainStateSQL string

// Drain waits until every job in ids is finalized (completed, cancelled or
// discarded) — retries included — polling the job table every poll, and
// returns how they ended. It stops early, with the jobs left as Waiting,
// when the send queue is paused or every job left is held for stale data:
// nothing would send them. progress, when
// set, is called after each poll. A working River client must be running.
func Drain(ctx context.Context, pool *pgxpool.Pool, ids []int64, poll time.Duration, progress func(DrainResult)) (DrainResult, error) {
	var res DrainResult
	if len(ids) == 0 {
		return res, nil
	}
	for {
		err := pool.QueryRow(ctx, drainStateSQL, ids, slices.Min(ids), slices.Max(ids)).Scan(&res.Waiting, &res.Running, &res.Completed, &res.Cancelled, &res.Discarded, &res.Held)
		if err != nil {
			return res, fmt.Errorf("drain: %w", err)
		}
		if progress != nil {
			progress(res)
		}
		if res.Waiting == 0 || res.Waiting == res.Held {
			return res, nil
		}
		if res.Paused, err = SendQueue(ctx, pool); err != nil {
			return res, fmt.Errorf("drain: %w", err)
		}
		if res.Paused.Paused && res.Running == 0 {
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("drain: %d jobs still waiting: %w", res.Waiting, ctx.Err())
		case <-time.After(drainWait(poll, res.Waiting)):
		}
	}
}

// drainWait is the wait before a drain looks again with waiting jobs left:
// poll while fewer than 200 wait, and up to ten times that while more do.
// Each look reads every job of the drain; at 100 ms, a drain of 10,000
// messages spent a seventh of the database's time counting them.
func drainWait(poll time.Duration, waiting int) time.Duration {
	return poll * time.Duration(min(max(waiting/100, 1), 10))
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
