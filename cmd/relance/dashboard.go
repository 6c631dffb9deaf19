package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/web/dashboard"
)

// newDashboard builds the dashboard's pages for `relance serve` from the
// configuration, as newAPI builds the API: the ledger's options of the
// recording commands, the aging buckets of `relance aging`, the plans,
// sweep and penalty rules of `relance preview`, the freshness policy of the
// guard and letters.cost of `relance kpi`. csrf gives each form's token;
// the session in front puts the principal in each request. base ends the
// upcoming page's previews, which outlive the load that started them
// (dashboard.Options.Base).
func (a *app) newDashboard(base context.Context, cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger,
	csrf func(*http.Request) string) (http.Handler, error) {
	sweeper, err := a.newSweeper(cfg, logger)
	if err != nil {
		return nil, err
	}
	rules, err := a.penaltyRules(cfg)
	if err != nil {
		return nil, err
	}
	return dashboard.New(dashboard.Options{
		DB:         pool,
		Clock:      a.clock,
		Location:   cfg.Location(),
		Ledger:     ledger.Options{Entity: cfg.Entity, DisputeReasons: cfg.DisputeCodes(), PromiseGraceDays: cfg.Promises.GraceDays},
		Locale:     cfg.Locale,
		AgingEdges: cfg.Aging.Buckets,
		Plans:      sweeper.Plans,
		Sweeper:    sweeper,
		Penalties:  rules.For(""),
		Freshness:  freshnessPolicy(cfg),
		CSRFToken:  csrf,
		Logger:     logger,
		Base:       base,
	})
}
