package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/database"
)

// environment is what a run of the CLI may touch of the outside world. Tests
// build one with buffers, a fixed clock and their own variables.
type environment struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            []string
	clock          clock.Clock
}

// exitError carries a specific exit status to main, e.g. 2 for a plan that
// does not validate.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e exitError) Unwrap() error { return e.err }

// app is shared by the subcommands: the environment plus the global flags.
type app struct {
	environment
	configPath string
	cpuProfile string
	profile    *os.File
}

// startProfile starts the CPU profile asked for with --cpuprofile.
func (a *app) startProfile() error {
	if a.cpuProfile == "" {
		return nil
	}
	f, err := os.Create(a.cpuProfile)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	a.profile = f
	return nil
}

// stopProfile ends the CPU profile, if one runs.
func (a *app) stopProfile() error {
	if a.profile == nil {
		return nil
	}
	pprof.StopCPUProfile()
	err := a.profile.Close()
	a.profile = nil
	return err
}

// config loads the configuration named by --config (or RELANCE_CONFIG).
func (a *app) config() (config.Config, error) {
	path := a.configPath
	if path == "" {
		path = a.getenv("RELANCE_CONFIG")
	}
	return config.Load(path, a.env)
}

func (a *app) getenv(key string) string {
	for _, kv := range a.env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// openDB connects to the configured database.
func (a *app) openDB(ctx context.Context, cfg config.Config) (*pgxpool.Pool, error) {
	return database.OpenPool(ctx, cfg.Database.URL, cfg.Database.MaxConns)
}

// asOf resolves an `--as-of` flag against the configured time zone.
func (a *app) asOf(flag string, cfg config.Config) (time.Time, error) {
	return clock.AsOf(flag, a.clock, cfg.Location())
}

// reportScope resolves what the report commands (aging, kpi) take: the
// configuration, the --as-of date and the --entity code, which defaults to
// the configured entity; "all" means every entity and comes back as "".
func (a *app) reportScope(asOfFlag, entityFlag string) (config.Config, time.Time, string, error) {
	cfg, err := a.config()
	if err != nil {
		return cfg, time.Time{}, "", err
	}
	date, err := a.asOf(asOfFlag, cfg)
	if err != nil {
		return cfg, time.Time{}, "", fmt.Errorf("--as-of: %w", err)
	}
	switch entityFlag {
	case "":
		entityFlag = cfg.Entity
	case "all":
		entityFlag = ""
	}
	return cfg, date, entityFlag, nil
}

// checkSubsidiaries refuses --subsidiaries without one entity (entity as
// reportScope returns it: "" for --entity all).
func checkSubsidiaries(subsidiaries bool, entity string) error {
	if subsidiaries && entity == "" {
		return fmt.Errorf("--subsidiaries takes one entity: --entity all covers every entity already")
	}
	return nil
}

func run(ctx context.Context, args []string, env environment) error {
	a := &app{environment: env}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(env.stdin)
	root.SetOut(env.stdout)
	root.SetErr(env.stderr)
	err := root.ExecuteContext(ctx)
	// Here rather than in a post-run hook, which a failed command skips.
	if stopErr := a.stopProfile(); err == nil {
		err = stopErr
	}
	return err
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "relance",
		Short: "Dunning engine: aged receivables, reminder plans and the daemon that sends them",
		Long: `relance keeps a company's receivables, produces the aged balance (balance âgée),
and runs a daemon that sends the right reminder to the right customer on the
right day: pre-due notices, level 1–5 reminders with statutory penalties, a
registered-letter formal notice, and provisioning flags for hopeless cases.

The database comes from DATABASE_URL or database.url in the config file
(--config or RELANCE_CONFIG). Every key of the config file can be overridden
by a RELANCE_* environment variable (see README.md, "Configuration").`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&a.configPath, "config", "", "YAML configuration file (default: $RELANCE_CONFIG, else built-in defaults)")
	root.PersistentFlags().StringVar(&a.cpuProfile, "cpuprofile", "", "write a CPU profile of the command to `FILE`, to read with go tool pprof")
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return a.startProfile() }
	root.AddCommand(
		newMigrateCmd(a),
		newImportCmd(a),
		newAgingCmd(a),
		newKPICmd(a),
		newPlanCmd(a),
		newPreviewCmd(a),
		newRatesCmd(a),
		newSweepCmd(a),
		newServeCmd(a),
		newDemoCmd(a),
		newEntityCmd(a),
		newClientCmd(a),
		newDisputeCmd(a),
		newPromiseCmd(a),
		newTokenCmd(a),
		newUserCmd(a),
		newLetterCmd(a),
		newCaseCmd(a),
		newProvisionsCmd(a),
		newWriteOffCmd(a),
		newTasksCmd(a),
		newTaskCmd(a),
		newClaimCmd(a),
		newAlertsCmd(a),
	)
	return root
}
