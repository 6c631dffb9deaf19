package main

import (
	"errors"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/digest"
	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/watch"
	"github.com/relance/relance/worker"
)

// freshnessPolicy is sweep.max_data_age and its per-entity overrides.
func freshnessPolicy(cfg config.Config) watch.Policy {
	return watch.Policy{MaxAge: cfg.Sweep.MaxDataAge, PerEntity: cfg.Sweep.MaxDataAgeByEntity}
}

// freshnessGuard is the guard the send worker asks before each send.
func (a *app) freshnessGuard(cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger) *watch.Guard {
	return &watch.Guard{DB: pool, Policy: freshnessPolicy(cfg), Clock: a.clock, Location: cfg.Location(),
		Recheck: cfg.Sweep.StaleRecheck, Logger: logger}
}

// scanner is the alert scan, with the configured limits and the send
// window's end.
func (a *app) scanner(cfg config.Config, pool *pgxpool.Pool) (*watch.Scanner, error) {
	_, end, err := config.ParseWindow(cfg.Sweep.SendWindow)
	if err != nil {
		return nil, err
	}
	return &watch.Scanner{DB: pool, Clock: a.clock, Location: cfg.Location(), Policy: freshnessPolicy(cfg),
		WindowEnd: end, DisputeDays: cfg.Alerts.DisputeDays, ClaimDays: cfg.Alerts.ClaimDays,
		Calendar: func(country string) (watch.BusinessDays, error) {
			cal, err := calendar.For(country)
			if err != nil && !(errors.Is(err, calendar.ErrUnknownCountry) && cal != nil) {
				return nil, err
			}
			return cal, nil // weekends only for a country without a holiday table
		}}, nil
}

// watchJobs is what serve runs beside the sweep and the sends: the alert
// scan every alerts.every and, after each sweep, the scan and the digest.
func (a *app) watchJobs(cfg config.Config, pool *pgxpool.Pool, transport mail.Transport, logger *slog.Logger) (*worker.Watch, error) {
	scan, err := a.scanner(cfg, pool)
	if err != nil {
		return nil, err
	}
	w := &worker.Watch{Scanner: scan, Every: cfg.Alerts.Every}
	if len(cfg.Digest.To) > 0 {
		w.Digester = &digest.Sender{DB: pool, Mail: transport, From: cfg.Mail.From, To: cfg.Digest.To,
			Location: cfg.Location(), Logger: logger}
	}
	return w, nil
}
