package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/importer"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/internal/preview"
	"github.com/relance/relance/internal/web"
	"github.com/relance/relance/plans"
)

// newAPI builds the JSON API of `relance serve` from the configuration: the
// ledger's options as the CLI's recording commands use them, the import
// defaults of `relance import`, the aging buckets, the plans and penalty
// rules of `relance preview`.
func (a *app) newAPI(cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger) (*web.API, error) {
	sweeper, err := a.newSweeper(cfg, logger)
	if err != nil {
		return nil, err
	}
	set := sweeper.Plans
	rules, err := a.penaltyRules(cfg)
	if err != nil {
		return nil, err
	}
	limit, err := config.ParseSize(cfg.Server.APIBodyLimit)
	if err != nil {
		return nil, err
	}
	return web.NewAPI(web.APIOptions{
		DB:       pool,
		Tokens:   a.tokens(cfg, pool),
		Clock:    a.clock,
		Location: cfg.Location(),
		Ledger:   ledger.Options{Entity: cfg.Entity, DisputeReasons: cfg.DisputeCodes(), PromiseGraceDays: cfg.Promises.GraceDays},
		Import: importer.Options{DefaultTerms: cfg.DefaultTerms(), EOM: cfg.EOMMethod(), Currency: "EUR",
			SnapshotMaxClose: cfg.SnapshotMaxClose()},
		AgingEdges: cfg.Aging.Buckets,
		NextStep:   func(day time.Time) aging.NextStepper { return aging.NewPlanNextStep(set, day) },
		Preview:    previewer{db: pool, sweeper: sweeper, plans: set, penalties: rules.For("")},
		BodyLimit:  limit,
		Logger:     logger,
	}), nil
}

// tokens is the token store of the database.
func (a *app) tokens(cfg config.Config, pool *pgxpool.Pool) web.Tokens {
	return web.Tokens{DB: pool, Clock: a.clock, Location: cfg.Location()}
}

// previewer is the API's view of `relance preview`: the engine's sweep run
// in a transaction rolled back, one rule set, as the command states it.
type previewer struct {
	db        preview.DB
	sweeper   preview.Sweeper
	plans     *plans.Set
	penalties *penalty.Calculator
}

func (p previewer) Preview(ctx context.Context, entity string, from time.Time, days int) (any, error) {
	return preview.Run(ctx, p.db, preview.Options{Entity: entity, From: from, Days: days,
		Sweeper: p.sweeper, Plans: p.plans, Penalties: p.penalties})
}
