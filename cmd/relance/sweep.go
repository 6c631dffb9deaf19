package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/watch"
	"github.com/relance/relance/worker"
)

func newSweepCmd(a *app) *cobra.Command {
	var asOf string
	var drain, enqueue, ignoreStale bool
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Run one evaluation of every invoice now (optionally --drain the jobs)",
		Long: `sweep runs the daily evaluation once, exactly as the daemon's scheduled job does:
it decides every (invoice, step) pair due on the day, records them in the
reminder ledger, creates tasks, reviews the provisions (proposals and the
journal entries they call for: 411 → 416, 6817/491, 491/7817) and the claim
declarations, and enqueues one send job per client and channel. A day
already swept records nothing new: each (invoice, step) is decided at most
once, ever.

Without --drain the send jobs wait for ` + "`relance serve`" + `, inside the send window
(sweep.send_window); with --as-of or --drain they are due at once. --drain also
works them here, retries included — and every send job of the day an earlier
run left (an interrupted drain, jobs waiting for the window) — then reports
the day's reminders sent, failed, dropped and still waiting. It exits with
status 1 while any failed or is still waiting: a job that ran out of
attempts (the relay down longer than every retry) gives its reminders back
to the next business day's sweep, and a send queue paused after refusals
of ours (mail.pause_after) is said plainly and resumed by the next run.

Before each send, the entity's payment data must be no older than
sweep.max_data_age (36h): a message to a customer who paid yesterday, because
the bank feed did not arrive, is the worst one. While it is older, the
entity's sends wait — their jobs are held, not lost —
and the drain stops and says which entities wait for which data; they go as
soon as fresh payments are imported (relance serve sends them by itself
within sweep.stale_recheck). --ignore-stale sends them anyway, for an
operator who knows the data is right; it is recorded with who did it.

--as-of replays a past day: the ledger is read as it stood that day (payments
applied later are added back, steps decided later are ignored) and the same
decisions come out.

Examples:
  relance sweep                        # today, jobs for the daemon
  relance sweep --drain                # today, and send now
  relance sweep --as-of 2025-09-12 --drain
  relance sweep --enqueue              # today, swept and sent by the running daemon
  relance sweep --drain --ignore-stale # send although payment data is old`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if ignoreStale && !drain {
				return errors.New("--ignore-stale works with --drain: the daemon always waits for fresh payment data")
			}
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
			sum, err := a.sweepOnce(ctx, cfg, pool, logger, day, sweepRun{now: drain || asOf != "", drain: drain, ignoreStale: ignoreStale})
			if err != nil {
				return err
			}
			sum.print(a.stdout)
			return sum.exit()
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "day to sweep, YYYY-MM-DD (default: today in the configured time zone)")
	cmd.Flags().BoolVar(&drain, "drain", false, "also send the enqueued messages now, and wait for them")
	cmd.Flags().BoolVar(&enqueue, "enqueue", false, "hand the day's sweep to the running daemon (relance serve) instead of running it here")
	cmd.Flags().BoolVar(&ignoreStale, "ignore-stale", false, "with --drain: send even for entities whose payment data is older than sweep.max_data_age (recorded with who did it)")
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
	// ignoreStale sends the messages of entities whose payment data is
	// stale: the operator knows better.
	ignoreStale bool
}

type sweepSummary struct {
	res      worker.SweepResult
	leftover int // send jobs of the day an earlier run left, worked by this drain
	resumed  worker.Pause
	drained  worker.DrainResult
	report   *worker.DayReport // after a drain: what became of the day's messages
	stale    []watch.Data      // entities whose payment data is stale: their sends wait, or went by --ignore-stale
	ignored  bool              // --ignore-stale sent them
	loc      *time.Location    // of the times printed
}

// waiting is what a drain leaves undone: messages not out that still may
// go, and jobs not finalized.
func (s sweepSummary) waiting() int {
	if s.report == nil {
		return 0
	}
	return max(s.report.Waiting(), s.drained.Waiting)
}

// sweepOnce runs one sweep of day in a transaction, and with run.drain works
// every send job left for the day — this run's and those an interrupted
// earlier run left — until they are all finalized or the send queue pauses.
func (a *app) sweepOnce(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger, day time.Time, run sweepRun) (sweepSummary, error) {
	sum := sweepSummary{loc: cfg.Location()}
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
		if sum.stale, err = watch.Stale(ctx, pool, a.clock.Now(), freshnessPolicy(cfg)); err != nil {
			return sum, err
		}
		if run.ignoreStale && len(sum.stale) > 0 {
			if err := watch.IgnoreStale(ctx, pool, sum.stale, a.actor(), day); err != nil {
				return sum, err
			}
			eng.sender.Guard, sum.ignored = nil, true
		}
	}
	client, err := worker.NewClient(worker.ClientOptions{
		Pool: pool, Sweeper: eng.sweeper, Sender: eng.sender, SendConcurrency: cfg.Sweep.SendConcurrency, SendRatePerMinute: cfg.Mail.SMTP.RatePerMinute,
		Work: run.drain, Logger: logger, FetchPollInterval: run.poll,
	})
	if err != nil {
		return sum, err
	}
	if sum.res, err = sweepTx(ctx, pool, eng.sweeper, client, day, run.now); err != nil {
		return sum, err
	}
	if err := watch.SweepDone(ctx, pool, day, a.actor(), len(sum.res.Decisions), len(sum.res.Jobs)); err != nil {
		return sum, err
	}
	// The daemon prunes the upcoming page's change records every
	// reconciliation; an installation run from cron has only its sweeps.
	if err := worker.PrunePreviewChanges(ctx, pool); err != nil {
		return sum, err
	}
	if !run.drain {
		return sum, nil
	}
	if err := a.drainDay(ctx, cfg, pool, client, day, run, &sum); err != nil {
		return sum, err
	}
	// Jobs that died during the drain (out of attempts) give their rows
	// back now, so that the report says so.
	if _, err := worker.Reconcile(ctx, pool, day); err != nil {
		return sum, err
	}
	report, err := worker.ReportDay(ctx, pool, day)
	if err != nil {
		return sum, err
	}
	sum.report = &report
	return sum, nil
}

// sweepTx runs the sweep of day in its own committed transaction.
func sweepTx(ctx context.Context, pool *pgxpool.Pool, s *worker.Sweeper, jobs worker.JobInserter, day time.Time, now bool) (worker.SweepResult, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return worker.SweepResult{}, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	res, err := s.Run(ctx, tx, jobs, day, worker.SweepOptions{Now: now})
	if err != nil {
		return res, err
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("sweep: commit: %w", err)
	}
	return res, nil
}

// drainDay lifts relance's own pause of the send queue, brings forward the
// day's jobs waiting for a time (the send window, a retry's backoff), and
// works every job of the day until each is finalized or the queue pauses.
// Jobs left running by a killed process are taken up by River's rescuer.
func (a *app) drainDay(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, client *river.Client[pgx.Tx], day time.Time, run sweepRun, sum *sweepSummary) error {
	var err error
	if sum.resumed, err = worker.ResumeOwnPause(ctx, pool, client); err != nil {
		return err
	}
	ids, later, err := worker.LeftForDay(ctx, pool, day)
	if err != nil {
		return err
	}
	sum.leftover = len(ids) - len(sum.res.JobIDs)
	if len(ids) == 0 {
		return nil
	}
	for _, id := range later {
		if _, err := client.JobRetry(ctx, id); err != nil {
			return fmt.Errorf("sweep: bring job %d forward: %w", id, err)
		}
	}
	if err := client.Start(ctx); err != nil {
		return fmt.Errorf("sweep: start workers: %w", err)
	}
	poll := run.poll
	if poll == 0 {
		poll = 100 * time.Millisecond
	}
	sum.drained, err = worker.Drain(ctx, pool, ids, poll, a.drainProgress(len(ids), cfg))
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Server.ShutdownTimeout)
	defer cancel()
	if stopErr := client.Stop(stopCtx); stopErr != nil && err == nil {
		err = fmt.Errorf("sweep: stop workers: %w", stopErr)
	}
	return err
}

// drainProgress prints, every few seconds on stderr, where a long drain is.
func (a *app) drainProgress(total int, cfg config.Config) func(worker.DrainResult) {
	var last time.Time
	return func(r worker.DrainResult) {
		now := a.clock.Now()
		if now.Sub(last) < 5*time.Second {
			return
		}
		if !last.IsZero() {
			fmt.Fprintf(a.stderr, "sending: %d of %d jobs done, %d waiting (%d running)\n", total-r.Waiting, total, r.Waiting, r.Running)
			if r.Running > 0 && r.Running == r.Waiting {
				fmt.Fprintf(a.stderr, "  jobs left running by an interrupted run are taken up %s after they started\n",
					worker.RescueAfter(cfg.Mail.SendTimeout))
			}
		}
		last = now
	}
}

func (s sweepSummary) print(w io.Writer) {
	day := s.res.Day.Format(time.DateOnly)
	fmt.Fprintf(w, "sweep %s: %d steps decided\n", day, len(s.res.Decisions))
	counts := s.res.StepCounts()
	steps := make([]string, 0, len(counts))
	for k := range counts {
		steps = append(steps, k)
	}
	sort.Strings(steps)
	for _, k := range steps {
		fmt.Fprintf(w, "  %-12s %d\n", k, counts[k])
	}
	fmt.Fprintf(w, "messages enqueued: %d\nprovision proposals: %d\njournal entries: %d\ntasks: %d\n",
		len(s.res.Jobs), len(s.res.Proposals), s.res.Journal, s.res.Tasks)
	if st := s.res.Settled; st != (ledger.Settled{}) {
		fmt.Fprintf(w, "promises kept: %d, broken: %d; disputes ended: %d\n", st.PromisesKept, st.PromisesBroken, st.DisputesLapsed)
	}
	if n := sumOf(s.res.Returned); n > 0 {
		fmt.Fprintf(w, "reminders whose send job had died, decided again: %d %v\n", n, s.res.Returned)
	}
	if s.leftover > 0 {
		fmt.Fprintf(w, "send jobs of %s left by an earlier run, worked now: %d\n", day, s.leftover)
	}
	if s.resumed.Paused && s.resumed.ByUs {
		fmt.Fprintf(w, "the send queue was paused by relance and is resumed: %s\n", s.resumed)
	}
	if s.report == nil {
		return
	}
	r := s.report
	fmt.Fprintf(w, "reminders of %s: sent: %d, failed: %d, dropped: %d, still waiting: %d\n", day, r.Sent, r.Failed, r.DroppedTotal(), s.waiting())
	if len(r.Dropped) > 0 {
		fmt.Fprintf(w, "  dropped at send time: %s\n", formatCounts(r.Dropped))
	}
	if r.Pending > 0 {
		fmt.Fprintf(w, "  still waiting on a send job: %d\n", r.Pending)
	}
	if r.Returned > 0 {
		fmt.Fprintf(w, "  still waiting, their send job died (out of attempts, cancelled or deleted): %d; decided again on the next business day\n", r.Returned)
	}
	s.printStale(w)
	if p := s.drained.Paused; p.Paused {
		fmt.Fprintf(w, "SEND QUEUE PAUSED: %s\n", p)
		if p.ByUs {
			fmt.Fprintln(w, "  fix mail.from, mail.bcc, the credentials or the relay, then run relance sweep --drain again")
		}
	}
}

// printStale says which entities' sends wait for fresh payment data, or
// went although it was stale.
func (s sweepSummary) printStale(w io.Writer) {
	if len(s.stale) == 0 || (!s.ignored && s.drained.Held == 0) {
		return
	}
	if s.ignored {
		fmt.Fprintln(w, "sent although the payment data is stale (--ignore-stale, recorded):")
	} else {
		fmt.Fprintf(w, "WAITING FOR FRESH PAYMENT DATA: %d send jobs held\n", s.drained.Held)
	}
	for _, d := range s.stale {
		fmt.Fprintf(w, "  entity %s: payments as of %s, %s old (sweep.max_data_age %s)\n", d.Entity,
			d.Payments.In(s.loc).Format("2006-01-02 15:04 MST"), hours(d.Age), hours(d.MaxAge))
	}
	if !s.ignored {
		fmt.Fprintln(w, "  import the payments (relance import payments FILE), or send anyway: relance sweep --drain --ignore-stale")
	}
}

func sumOf(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// formatCounts writes {paid: 2, disputed: 1} as "disputed 1, paid 2".
func formatCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// exit is the drain's exit status: 1 while a reminder of the day failed or
// is still waiting.
func (s sweepSummary) exit() error {
	if s.report == nil {
		return nil
	}
	if s.report.Failed > 0 || s.waiting() > 0 {
		return exitError{code: 1, err: fmt.Errorf("%d reminders failed, %d still waiting", s.report.Failed, s.waiting())}
	}
	return nil
}
