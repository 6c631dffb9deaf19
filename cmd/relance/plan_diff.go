package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/relance/relance/internal/backtest"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/config"
)

// currentPlans is the plan argument of `plan diff` that stands for the
// configured plans.
const currentPlans = "current"

func newPlanDiffCmd(a *app) *cobra.Command {
	var from, to, entity, format string
	var top int
	cmd := &cobra.Command{
		Use:   "diff OLD.yaml NEW.yaml",
		Short: "Compare what two plans would have sent over a past period (backtest)",
		Long: `Simulate two reminder plans over a past period and compare what each would
have sent. Every day from --from through --to runs the daemon's own sweep, on
the ledger as it was that day: invoices issued later are not there yet,
payments received later are not paid yet, and disputes, promises, pauses and
insolvencies are as they stood. It shows, per month and per level, the
emails and registered letters each plan would have sent; the first-contact
delay (days from the due date to the level 1 reminder, mean and median, per
month), and the clients the plans remind differently (another day, level,
channel or list of invoices), largest outstanding on --to first.

Where the simulation starts. Both plans start from the reminders really
decided before --from, as they stood that morning: an invoice already at
level 2 goes on to level 3 under either plan, it does not start over. That
is what "had we switched plans on --from" means. Starting from an empty
history would send a level 1 to every invoice overdue on --from on the first
day, a burst neither plan would ever send, and the first weeks would compare
that burst instead of the plans. What was really sent from --from on is not
counted: each plan decides those days for itself. A reminder decided before
--from that had not gone out that morning goes out on --from; every
simulated message goes out the day it is decided (no outage, no bounce).

OLD and NEW are plan files, each checked as ` + "`relance plan check`" + ` checks it
(errors at file:line:column, exit status 2). The word "current" stands for
the configured plans (plans.files, or the embedded default plans).

It writes nothing: each plan runs in a database transaction that is rolled
back, on temporary copies of the tables the sweep writes, both on one
snapshot of the ledger. The two plans run side by side, and the daemon's
sweep never waits for them. --from defaults to 90 days before --to, --to to
yesterday.

Examples:
  relance plan diff current draft.yaml
  relance plan diff plans/default.yaml draft.yaml --from 2025-06-01 --to 2025-08-31
  relance plan diff current draft.yaml --format json | jq '.clients[:10]'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			cfg, err := a.config()
			if err != nil {
				return err
			}
			first, last, err := a.diffPeriod(cfg, from, to)
			if err != nil {
				return err
			}
			if entity == "" {
				entity = cfg.Entity
			}
			logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			var sides [2]backtest.Plan
			for i, arg := range args {
				if sides[i], err = a.diffPlan(cfg, logger, arg); err != nil {
					return err
				}
			}
			db, err := a.openSimulation(cmd.Context(), cfg, entity)
			if err != nil {
				return err
			}
			defer db.Close()
			opts := backtest.Options{Entity: entity, From: first, To: last, Old: sides[0], New: sides[1]}
			finish := a.diffProgress(&opts, cfg.Locale)
			rep, err := backtest.Run(cmd.Context(), db, opts)
			finish()
			if err != nil {
				return err
			}
			if format == "json" {
				return a.writeJSON(rep)
			}
			return backtest.WriteText(a.stdout, rep, cfg.Locale, top)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first day simulated, YYYY-MM-DD (default: 90 days before --to)")
	cmd.Flags().StringVar(&to, "to", "", "last day simulated, YYYY-MM-DD (default: yesterday in the configured time zone)")
	cmd.Flags().StringVar(&entity, "entity", "", "entity code (default: the configured entity)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().IntVar(&top, "top", 50, "clients reminded differently listed in text, largest outstanding first (0: all)")
	return cmd
}

// diffPeriod resolves --from and --to: by default the 90 days up to
// yesterday.
func (a *app) diffPeriod(cfg config.Config, from, to string) (first, last time.Time, err error) {
	if to == "" {
		last = clock.Today(a.clock, cfg.Location()).AddDate(0, 0, -1)
	} else if last, err = clock.ParseDate(to); err != nil {
		return first, last, fmt.Errorf("--to: %w", err)
	}
	if from == "" {
		first = last.AddDate(0, 0, -89)
	} else if first, err = clock.ParseDate(from); err != nil {
		return first, last, fmt.Errorf("--from: %w", err)
	}
	if last.Before(first) {
		return first, last, fmt.Errorf("--to %s is before --from %s", last.Format(time.DateOnly), first.Format(time.DateOnly))
	}
	if n := int(last.Sub(first).Hours()/24) + 1; n > backtest.MaxDays {
		return first, last, fmt.Errorf("--from %s --to %s: %d days, at most %d", first.Format(time.DateOnly),
			last.Format(time.DateOnly), n, backtest.MaxDays)
	}
	return first, last, nil
}

// diffPlan loads and checks one side of the comparison: a plan file, or
// "current" for the configured plans.
func (a *app) diffPlan(cfg config.Config, logger *slog.Logger, arg string) (backtest.Plan, error) {
	var paths []string
	if arg != currentPlans {
		paths = []string{arg}
	}
	set, files, err := a.checkedPlans(cfg, paths)
	if err != nil {
		return backtest.Plan{}, err
	}
	sweeper, err := a.sweeperWith(cfg, logger, set)
	if err != nil {
		return backtest.Plan{}, err
	}
	name := strings.Join(files, ", ")
	if arg == currentPlans {
		name = currentPlans + " (" + name + ")"
	}
	return backtest.Plan{Name: name, Sweeper: sweeper}, nil
}

// diffProgress shows a bar of the days simulated, only for a person
// watching; finish clears it.
func (a *app) diffProgress(opts *backtest.Options, locale string) (finish func()) {
	file, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(file.Fd())) {
		return func() {}
	}
	what := "simulating both plans, day by day"
	if locale == "fr" {
		what = "simulation des deux plans, jour par jour"
	}
	var bar *progressbar.ProgressBar
	opts.Progress = func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetDescription(what),
				progressbar.OptionSetWriter(file),
				progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionFullWidth(),
				progressbar.OptionClearOnFinish(),
			)
		}
		_ = bar.Set(done)
	}
	return func() {
		if bar != nil {
			_ = bar.Finish()
		}
	}
}
