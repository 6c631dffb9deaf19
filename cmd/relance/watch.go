package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/digest"
	"github.com/relance/relance/internal/ledger"
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
		WindowEnd: end, DisputeDays: cfg.Alerts.DisputeDays, ClaimDays: cfg.Alerts.ClaimDays, StuckAfter: cfg.Alerts.StuckAfter,
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

// writeDataAge says how old the entity's data is, kind by kind, and
// whether its sends wait for fresher payment data: the first line of a
// preview.
func writeDataAge(w io.Writer, fresh []ledger.Freshness, entity string, p watch.Policy, now time.Time, locale string, loc *time.Location) {
	limit := p.For(entity)
	layout := "2006-01-02 15:04"
	if locale == "fr" {
		layout = "02/01/2006 15:04"
	}
	got := map[string]ledger.Freshness{}
	for _, f := range fresh {
		got[f.Kind] = f
	}
	var parts []string
	for _, kind := range []string{ledger.DataInvoices, ledger.DataPayments} {
		name := map[string][2]string{ledger.DataInvoices: {"factures", "invoices"}, ledger.DataPayments: {"paiements", "payments"}}[kind]
		label := say(locale, name[0], name[1])
		f, ok := got[kind]
		if !ok {
			parts = append(parts, label+say(locale, " : jamais importés", ": never imported"))
			continue
		}
		age := now.Sub(f.AsOf)
		part := fmt.Sprintf("%s %s %s (%s)", label, say(locale, "au", "as of"), f.AsOf.In(loc).Format(layout), formatAge(age, locale))
		if kind == ledger.DataPayments && limit > 0 && age > limit {
			part += say(locale, fmt.Sprintf(" — PLUS VIEUX QUE %s : les envois attendront des paiements récents", hours(limit)),
				fmt.Sprintf(" — OLDER THAN %s: sends will wait for fresh payments", hours(limit)))
		}
		parts = append(parts, part)
	}
	fmt.Fprintf(w, "%s %s: %s\n", say(locale, "données de", "data of"), entity, strings.Join(parts, "; "))
}

// formatAge says an age in hours, or days past two.
func formatAge(d time.Duration, locale string) string {
	h := int(d.Hours())
	switch {
	case d < 0:
		return say(locale, "à venir", "ahead")
	case h < 48:
		return fmt.Sprintf(say(locale, "il y a %d h", "%d h old"), h)
	}
	return fmt.Sprintf(say(locale, "il y a %d jours", "%d days old"), h/24)
}

// hours writes a duration in whole hours ("40 h") when it is about hours.
func hours(d time.Duration) string {
	if d >= time.Hour {
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return d.Round(time.Second).String()
}
