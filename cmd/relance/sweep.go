package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/worker"
)

func newSweepCmd(a *app) *cobra.Command {
	var asOf string
	var drain, enqueue bool
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Run one evaluation of every invoice now (optionally --drain the jobs)",
		Long: `sweep runs the daily evaluation once, exactly as the daemon's scheduled job does:
it decides every (invoice, step) pair due on the day, records them in the
reminder ledger, creates provision proposals and tasks, and enqueues one send
job per client and channel. A day already swept records nothing new: each
(invoice, step) is decided at most once, ever.

Without --drain the send jobs wait for ` + "`relance serve`" + `, inside the send window
(sweep.send_window); with --as-of or --drain they are due at once. --drain also
works them here, retries included, and exits with status 1 if any failed.

--as-of replays a past day: the ledger is read as it stood that day (payments
applied later are added back, steps decided later are ignored) and the same
decisions come out.

Examples:
  relance sweep                        # today, jobs for the daemon
  relance sweep --drain                # today, and send now
  relance sweep --as-of 2025-09-12 --drain
  relance sweep --enqueue              # today, swept and sent by the running daemon`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			day, err := a.asOf(asOf, cfg)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			pool, err := a.openDB(ctx, cfg)
			if err != nil {
				return err
			}
			defer pool.Close()
			if err := database.CheckSchema(ctx, pool); err != nil {
				return err
			}
			if enqueue {
				return a.enqueueSweep(ctx, pool, day)
			}
			logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			sum, err := a.sweepOnce(ctx, cfg, pool, logger, day, sweepRun{now: drain || asOf != "", drain: drain})
			if err != nil {
				return err
			}
			sum.print(a.stdout)
			if sum.drained.Failed() > 0 {
				return exitError{code: 1, err: fmt.Errorf("%d send jobs failed", sum.drained.Failed())}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "day to sweep, YYYY-MM-DD (default: today in the configured time zone)")
	cmd.Flags().BoolVar(&drain, "drain", false, "also send the enqueued messages now, and wait for them")
	cmd.Flags().BoolVar(&enqueue, "enqueue", false, "hand the day's sweep to the running daemon (relance serve) instead of running it here")
	cmd.MarkFlagsMutuallyExclusive("drain", "enqueue")
	return cmd
}

// enqueueSweep queues the sweep of day for the daemon's sweep queue, exactly
// as its periodic job would; the daemon then sweeps and sends within its send
// window. A day already queued or swept is not queued twice.
func (a *app) enqueueSweep(ctx context.Context, pool *pgxpool.Pool, day time.Time) error {
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		return fmt.Errorf("sweep: river client: %w", err)
	}
	res, err := client.Insert(ctx, worker.SweepArgs{Day: day.Format(time.DateOnly)}, nil)
	if err != nil {
		return fmt.Errorf("sweep: enqueue: %w", err)
	}
	if res.UniqueSkippedAsDuplicate {
		fmt.Fprintf(a.stdout, "the sweep of %s is already queued or done (job %d): nothing enqueued\n", day.Format(time.DateOnly), res.Job.ID)
		return nil
	}
	fmt.Fprintf(a.stdout, "sweep of %s enqueued as job %d for relance serve\n", day.Format(time.DateOnly), res.Job.ID)
	return nil
}

type sweepRun struct {
	now   bool // ignore the send window
	drain bool // work the jobs to the end
	// retry is the backoff of a drained send's temporary failure; the
	// daemon's (worker.SendBackoff) would keep an operator waiting minutes.
	retry func(attempt int) time.Duration
	poll  time.Duration
}

type sweepSummary struct {
	res     worker.SweepResult
	drained worker.DrainResult
	sent    map[string]int // reminder rows by status after the drain
}

// sweepOnce runs one sweep of day in a transaction, and with run.drain works
// its send jobs with a River client until they are all finalized.
func (a *app) sweepOnce(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger, day time.Time, run sweepRun) (sweepSummary, error) {
	var sum sweepSummary
	if run.drain {
		if err := checkAddresses(cfg.Mail); err != nil {
			return sum, err
		}
	}
	eng, err := a.newEngine(cfg, pool, logger)
	if err != nil {
		return sum, err
	}
	defer eng.close()
	if run.drain {
		eng.sender.Backoff = run.retry
		if eng.sender.Backoff == nil {
			eng.sender.Backoff = func(attempt int) time.Duration { return time.Duration(attempt) * time.Second }
		}
	}
	client, err := worker.NewClient(worker.ClientOptions{
		Pool: pool, Sweeper: eng.sweeper, Sender: eng.sender, SendConcurrency: cfg.Sweep.SendConcurrency,
		Work: run.drain, Logger: logger, FetchPollInterval: run.poll,
	})
	if err != nil {
		return sum, err
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return sum, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	sum.res, err = eng.sweeper.Run(ctx, tx, client, day, worker.SweepOptions{Now: run.now})
	if err != nil {
		return sum, err
	}
	if err := tx.Commit(ctx); err != nil {
		return sum, fmt.Errorf("sweep: commit: %w", err)
	}
	if !run.drain || len(sum.res.JobIDs) == 0 {
		return sum, nil
	}
	if err := client.Start(ctx); err != nil {
		return sum, fmt.Errorf("sweep: start workers: %w", err)
	}
	poll := run.poll
	if poll == 0 {
		poll = 100 * time.Millisecond
	}
	sum.drained, err = worker.Drain(ctx, pool, sum.res.JobIDs, poll)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Server.ShutdownTimeout)
	defer cancel()
	if stopErr := client.Stop(stopCtx); stopErr != nil && err == nil {
		err = fmt.Errorf("sweep: stop workers: %w", stopErr)
	}
	if err != nil {
		return sum, err
	}
	sum.sent = map[string]int{}
	rows, err := pool.Query(ctx, `SELECT status, count(*) FROM reminder WHERE job_id = ANY ($1) GROUP BY status`, sum.res.JobIDs)
	if err != nil {
		return sum, err
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return sum, err
		}
		sum.sent[status] = n
	}
	return sum, rows.Err()
}

func (s sweepSummary) print(w io.Writer) {
	fmt.Fprintf(w, "sweep %s: %d steps decided\n", s.res.Day.Format(time.DateOnly), len(s.res.Decisions))
	counts := s.res.StepCounts()
	steps := make([]string, 0, len(counts))
	for k := range counts {
		steps = append(steps, k)
	}
	sort.Strings(steps)
	for _, k := range steps {
		fmt.Fprintf(w, "  %-12s %d\n", k, counts[k])
	}
	fmt.Fprintf(w, "messages enqueued: %d\nprovision proposals: %d\ntasks: %d\n", len(s.res.Jobs), s.res.Provisions, s.res.Tasks)
	if st := s.res.Settled; st != (ledger.Settled{}) {
		fmt.Fprintf(w, "promises kept: %d, broken: %d; disputes ended: %d\n", st.PromisesKept, st.PromisesBroken, st.DisputesLapsed)
	}
	if s.sent != nil {
		fmt.Fprintf(w, "reminders sent: %d, dropped: %d, failed: %d (jobs completed %d, cancelled %d, discarded %d)\n",
			s.sent["sent"], s.sent["dropped"], s.sent["failed"], s.drained.Completed, s.drained.Cancelled, s.drained.Discarded)
	}
}
