package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

// recording is what every command that records something shares: the
// entity it works in and the day it takes effect.
type recording struct {
	entity string // --entity; "" is the configured entity (RELANCE_ENTITY)
	asOf   string // --as-of; "" is today in the configured time zone
	// entities is set by the entity commands, which name their entity in
	// their argument and must work before the configured one exists.
	entities bool
}

// registerEntity adds --entity to a command group, for all its subcommands.
func (r *recording) registerEntity(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&r.entity, "entity", "", "entity `CODE` to work in (default: the configured entity, RELANCE_ENTITY)")
}

// registerAsOf adds --as-of to a command that records something.
func (r *recording) registerAsOf(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.asOf, "as-of", "", "the day it takes effect, YYYY-MM-DD (default: today)")
}

// ledgerSession is an open store with the configuration and the pool
// behind it; close releases the pool.
type ledgerSession struct {
	cfg   config.Config
	pool  *pgxpool.Pool
	store *ledger.Store
	day   time.Time // --as-of resolved
}

func (s *ledgerSession) close() { s.pool.Close() }

// locale is the language of the output: the configured one.
func (s *ledgerSession) locale() string { return s.cfg.Locale }

// openLedger loads the configuration, connects, checks the schema and the
// entity (an unknown one lists those that exist), and resolves --as-of.
func (a *app) openLedger(ctx context.Context, r recording) (*ledgerSession, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	day, err := a.asOf(r.asOf, cfg)
	if err != nil {
		return nil, fmt.Errorf("--as-of: %w", err)
	}
	pool, err := a.openDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := database.CheckSchema(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	entity := r.entity
	if entity == "" {
		entity = cfg.Entity
	}
	store := ledger.New(pool, ledger.Options{Entity: entity, DisputeReasons: cfg.DisputeCodes(),
		PromiseGraceDays: cfg.Promises.GraceDays, NoticeDays: cfg.Letters.DeadlineDays})
	if !r.entities {
		if _, err := store.Entity(ctx, entity); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return &ledgerSession{cfg: cfg, pool: pool, store: store, day: day}, nil
}

// act is who records (the OS user, from the environment) and when.
func (a *app) act(day time.Time) ledger.Act {
	return ledger.Act{Actor: a.actor(), Day: day}
}

// actor is "cli:<OS user>": USER, LOGNAME or USERNAME (Windows), in that
// order, as the shell sets them; else the account the process runs as (a
// container or a service manager sets none of them).
func (a *app) actor() string {
	for _, k := range []string{"USER", "LOGNAME", "USERNAME"} {
		if u := strings.TrimSpace(a.getenv(k)); u != "" {
			return "cli:" + u
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli:unknown"
}

// checkEntity makes sure the entity a report or an import names exists,
// so that a typo in --entity or RELANCE_ENTITY says which ones do.
func checkEntity(ctx context.Context, pool *pgxpool.Pool, code string) error {
	if code == "" {
		return nil // "all"
	}
	_, err := ledger.New(pool, ledger.Options{Entity: code}).Entity(ctx, code)
	return err
}

// openSimulation opens the database a dry run reads (preview, plan diff):
// its schema must be relance's current one and the entity must exist. The
// caller closes the pool.
func (a *app) openSimulation(ctx context.Context, cfg config.Config, entity string) (*pgxpool.Pool, error) {
	db, err := a.openDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := database.CheckSchema(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if err := checkEntity(ctx, db, entity); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// writeJSON prints v as indented JSON, the --format json of the reports.
func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes aligned columns.
func table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// fmtDay formats a date in the output's locale; "" for the zero date.
func fmtDay(t time.Time, locale string) string {
	if t.IsZero() {
		return ""
	}
	if locale == "fr" {
		return t.Format("02/01/2006")
	}
	return t.Format(time.DateOnly)
}

// fmtAmount formats money in the output's locale.
func fmtAmount(a money.Amount, currency, locale string) string {
	if currency == "" {
		currency = "EUR"
	}
	return money.Format(a, currency, locale)
}

// say picks the French or English wording.
func say(locale, fr, en string) string {
	if locale == "fr" {
		return fr
	}
	return en
}

// parseDay reads an optional date flag.
func parseDay(flag, value string) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, value)
	if err != nil {
		return t, fmt.Errorf("--%s %q: want YYYY-MM-DD", flag, value)
	}
	return t, nil
}
