package main

import (
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/internal/webhook"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/templates"
	"github.com/relance/relance/worker"
)

// engine is the dunning engine assembled from the configuration: the plans,
// the sweep, and the send worker with its templates and transport. sweep and
// serve build the same one.
type engine struct {
	sweeper   *worker.Sweeper
	sender    *worker.SendWorker
	transport mail.Transport
	penalties *penalty.Chooser
}

// newEngine loads plans and templates (a broken one stops here with its
// file:line) and opens the configured mail transport. close releases the
// transport.
func (a *app) newEngine(cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger) (*engine, error) {
	loc := cfg.Location()
	sweeper, err := a.newSweeper(cfg, logger)
	if err != nil {
		return nil, err
	}
	set := sweeper.Plans
	tmpl, err := templates.Load(cfg.Templates.Dir)
	if err != nil {
		return nil, err
	}
	link, err := templates.ParsePaymentLink(cfg.Mail.PaymentLink)
	if err != nil {
		return nil, err
	}
	rules, err := a.penaltyRules(cfg)
	if err != nil {
		return nil, err
	}
	penalties := worker.Penalties{Rules: rules}
	transport, err := mail.FromConfig(cfg.Mail, a.clock)
	if err != nil {
		return nil, err
	}
	e := &engine{
		transport: transport,
		penalties: rules,
		sweeper:   sweeper,
		sender: &worker.SendWorker{
			Pool: pool, Plans: set, Templates: tmpl, Mail: transport, Penalties: penalties,
			JobTimeout: cfg.Mail.SendTimeout, PauseAfter: cfg.Mail.PauseAfter,
			Settings: worker.MailSettings{
				From: cfg.Mail.From, ReplyTo: cfg.Mail.ReplyTo, Bcc: cfg.Mail.Bcc, PaymentLink: link,
				LettersDir: absolute(cfg.LettersDir()),
			},
			Provider: letterProvider(cfg.Letters.Webhook, a.clock),
			Messages: worker.MessageSettings{OversightDays: cfg.Templates.OversightDays, DeadlineDays: cfg.Letters.DeadlineDays},
			Clock:    a.clock, Location: loc, Logger: logger,
			Guard: a.freshnessGuard(cfg, pool, logger),
		},
	}
	return e, nil
}

// newSweeper builds the daily sweep from the configuration: the plans (a
// broken one stops here with its file:line), the country calendars, the
// provision matrix (checked by config.Validate) and the send window. The engine and the preview run the
// same one.
func (a *app) newSweeper(cfg config.Config, logger *slog.Logger) (*worker.Sweeper, error) {
	set, err := loadPlans(cfg)
	if err != nil {
		return nil, err
	}
	return a.sweeperWith(cfg, logger, set)
}

// sweeperWith is newSweeper with plans of the caller's (`preview --plan`,
// `plan diff`).
func (a *app) sweeperWith(cfg config.Config, logger *slog.Logger, set *plans.Set) (*worker.Sweeper, error) {
	window, err := worker.ParseSendWindow(cfg.Sweep.SendWindow, cfg.Location())
	if err != nil {
		return nil, err
	}
	return &worker.Sweeper{Plans: set, Calendars: countryCalendars(logger), Provision: cfg.ProvisionMatrix(), Window: window, Clock: a.clock}, nil
}

func (e *engine) close() error { return e.transport.Close() }

// penaltyRules loads the rate tables (penalties.rates_file over the shipped
// ones) and builds the rule sets: the one penalties.rule_set names for every
// client, or, when it is empty, each client's country's. A contractual rate
// below the statutory floor of any half-year up to today, under any rule set
// in use that has a floor (FR, which "by country" includes), is a
// configuration error here, at start: found at send time it would fail every
// message that states penalties.
func (a *app) penaltyRules(cfg config.Config) (*penalty.Chooser, error) {
	rates, err := penalty.LoadRates(cfg.Penalties.RatesFile)
	if err != nil {
		return nil, err
	}
	rules, err := penalty.NewChooser(cfg.Penalties.RuleSet, rates, cfg.Penalties.ContractualRate)
	if err != nil {
		return nil, err
	}
	if err := rules.CheckFloor(clock.Today(a.clock, cfg.Location())); err != nil {
		return nil, fmt.Errorf("config: penalties.contractual_rate: %w", err)
	}
	return rules, nil
}

// rateGaps reports the reference rates the rule sets in use lack for day's
// half-year (all four when the clients' countries pick): interest there is
// priced at the last known rate.
func (e *engine) rateGaps(day time.Time) []error {
	var errs []error
	for _, g := range e.penalties.Gaps(day) {
		errs = append(errs, g)
	}
	return errs
}

// absolute makes dir absolute, so that the letters' paths recorded in the
// ledger (and shown by `relance letter list`) hold from any directory.
func absolute(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// letterProvider is the webhook channel's provider, or nil when
// letters.webhook.url is not set. A nil *webhook.Client must not become a
// non-nil interface: the send worker tells "not configured" by nil.
func letterProvider(w config.LetterWebhook, clk clock.Clock) worker.LetterProvider {
	if w.URL == "" {
		return nil
	}
	return &webhook.Client{URL: w.URL, Secret: []byte(w.Secret), Timeout: w.Timeout, Clock: clk}
}

// countryCalendars gives the sweep internal/calendar's calendars. A country
// without a holiday table gets weekends only, logged, rather than stopping
// every client's dunning.
func countryCalendars(logger *slog.Logger) worker.CalendarFor {
	return func(country string) (worker.Calendar, error) {
		cal, err := calendar.For(country)
		if err != nil {
			if errors.Is(err, calendar.ErrUnknownCountry) && cal != nil {
				logger.Warn("no holiday table: weekends only", "country", country)
				return cal, nil
			}
			return nil, err
		}
		return cal, nil
	}
}

// checkAddresses refuses to start without a valid sender: a message the
// transport rejects as invalid counts as the client's bounce, so our own
// headers must be right before the first send.
func checkAddresses(m config.Mail) error {
	if strings.TrimSpace(m.From) == "" {
		return errors.New("config: mail.from: required (RELANCE_MAIL_FROM), e.g. \"Compta <compta@example.fr>\"")
	}
	for key, v := range map[string]string{"mail.from": m.From, "mail.reply_to": m.ReplyTo, "mail.bcc": m.Bcc} {
		if v == "" {
			continue
		}
		if _, err := netmail.ParseAddress(v); err != nil {
			return fmt.Errorf("config: %s: %q: %w", key, v, err)
		}
	}
	return nil
}
