package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"
	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/watch"
	"github.com/relance/relance/internal/web"
	"github.com/relance/relance/worker"
)

func newServeCmd(a *app) *cobra.Command {
	var migrate bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the daemon: scheduler, workers, dashboard, API and River UI",
		Long: `serve runs the daemon: the River client working the sweep and send queues
(sweep.send_concurrency senders), the daily sweep scheduled by sweep.schedule in
the configured time zone, and an HTTP server on server.addr with:

  /          the dashboard, for the users of relance user add, who log in
             at /login (a session cookie that ends after server.session_idle
             idle or server.session_max; failed logins throttled by
             server.login_failures per email and server.login_failures_per_ip
             per address within server.login_window); optionally single
             sign-on by a trusted proxy's header (server.sso_header)
  /api/v1/   the JSON API for ERPs and integrations, with bearer tokens
             (relance token create); its document is /api/v1/openapi.json
  /jobs/     River UI, the ops job dashboard, for admins: a logged-in admin
             user, an admin token, or for scripts the operator's basic auth
             (server.username and server.password; its actions change
             state, so serve refuses to start with a blank password, and
             refuses any state-changing request sent from another site)
  /healthz   the process is up
  /readyz    the database answers (its error only to a caller with the
             credentials; others read "database unreachable")
  /metrics   Prometheus metrics (reminders sent, failed, dropped; alerts
             raised, by kind; the age of each entity's data, and whether
             its sends wait for fresh data)
  /webhooks/letters
             the letter provider's proofs of deposit, delivery or refusal
             (POST, signed with letters.webhook.secret, which must be set;
             docs/letters-webhook.md)

Before each send it checks that the client's entity has payment data no
older than sweep.max_data_age (36h): stale, the entity's sends wait (their
jobs are snoozed, not lost) and look again every sweep.stale_recheck (5m), so
they go by themselves minutes after a fresh import; an alert says so. The
leader looks for alerts every alerts.every (5m), and after each day's sweep
sends the digest to digest.to (see relance alerts --help).

Any number of replicas may run against one database: River elects one leader
to schedule the sweep, every replica sends, and the reminder ledger makes each
(invoice, step) go out at most once. The schema must be current: run
` + "`relance migrate`" + ` first, or serve --migrate, which migrates and then serves
(the docker image has no shell to chain the two). On SIGTERM serve stops taking jobs, gives running ones
server.shutdown_timeout to finish, cancels the rest, stops HTTP (a forecast the
upcoming page is computing is cancelled) and closes the database pool, in
that order.

Example:
  relance user add you@example.fr --role admin
  RELANCE_SERVER_PASSWORD=secret relance serve --config relance.yaml
  RELANCE_SERVER_PASSWORD=secret relance serve --migrate`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			if migrate {
				if err := a.migrate(cmd.Context(), cfg); err != nil {
					return err
				}
			}
			return a.serve(cmd.Context(), cfg, serveOptions{periodic: true})
		},
	}
	cmd.Flags().BoolVar(&migrate, "migrate", false, "apply pending migrations first (as relance migrate), then serve")
	return cmd
}

// serveOptions vary the daemon for `relance demo`.
type serveOptions struct {
	periodic bool              // schedule the daily sweep
	ready    func(addr string) // called once HTTP and River are up
}

// sessions is the dashboard's users and their sessions, by the server.*
// keys.
func (a *app) sessions(cfg config.Config, pool *pgxpool.Pool) *web.Sessions {
	s := cfg.Server
	return &web.Sessions{Users: web.Users{DB: pool, Clock: a.clock}, Idle: s.SessionIdle, Max: s.SessionMax,
		Throttle: web.Throttle{PerEmail: s.LoginFailures, PerIP: s.LoginFailuresPerIP, Window: s.LoginWindow},
		Insecure: s.InsecureCookies}
}

// serve runs the daemon until ctx is cancelled; see newServeCmd.
func (a *app) serve(ctx context.Context, cfg config.Config, opts serveOptions) error {
	if err := checkCredentials(cfg.Server); err != nil {
		return err
	}
	if err := checkAddresses(cfg.Mail); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(a.stderr, nil))
	// A soft limit makes the collector work harder near it instead of
	// letting the heap double past a sweep's peak; GOMEMLIMIT still wins.
	if limit, _ := config.ParseSize(cfg.Server.MemoryLimit); limit > 0 && a.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
	pool, err := a.openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		pool.Close()
		logger.Info("database pool closed")
	}()
	if err := database.CheckSchema(ctx, pool); err != nil {
		return err
	}
	schedule, err := worker.ParseSchedule(cfg.Sweep.Schedule, cfg.Location())
	if err != nil {
		return err
	}
	eng, err := a.newEngine(cfg, pool, logger)
	if err != nil {
		return err
	}
	defer eng.close()
	watchJobs, err := a.watchJobs(cfg, pool, eng.transport, logger)
	if err != nil {
		return err
	}
	var periodic []*river.PeriodicJob
	if opts.periodic {
		periodic = []*river.PeriodicJob{worker.PeriodicSweep(schedule, a.clock, cfg.Location()), worker.PeriodicReconcile(),
			worker.PeriodicWatch(cfg.Alerts.Every)}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics, err := worker.NewMetrics(reg)
	if err != nil {
		return err
	}
	eng.sender.Counters = metrics
	reg.MustRegister(&watch.Collector{DB: pool, Clock: a.clock, Policy: freshnessPolicy(cfg), Logger: logger})
	// A rate table behind the current half-year is a warning, not a stop:
	// reminders without penalties are still right.
	for _, gap := range eng.rateGaps(clock.Today(a.clock, cfg.Location())) {
		logger.Warn("penalty rate missing", "err", gap)
	}
	replica := replicaID()
	client, err := worker.NewClient(worker.ClientOptions{
		Pool: pool, Sweeper: eng.sweeper, Sender: eng.sender, SendConcurrency: cfg.Sweep.SendConcurrency, SendRatePerMinute: cfg.Mail.SMTP.RatePerMinute,
		Work: true, Logger: logger, Periodic: periodic, ID: replica, RateGaps: eng.rateGaps, Watch: watchJobs,
	})
	if err != nil {
		return err
	}
	if err := resumeSendQueue(ctx, pool, client, logger); err != nil {
		return err
	}
	ui, err := web.NewJobsUI(client, logger)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// River UI's background services end with this context, after
	// the River client has stopped.
	uiCtx, stopUI := context.WithCancel(context.WithoutCancel(ctx))
	defer stopUI()
	if err := ui.Start(uiCtx); err != nil {
		return fmt.Errorf("serve: river ui: %w", err)
	}

	if err := checkLetterChannels(ctx, pool, cfg.Letters.Webhook, logger); err != nil {
		return err
	}
	api, err := a.newAPI(cfg, pool, logger)
	if err != nil {
		return err
	}
	// The upcoming page's previews run on past a closed tab, not past the
	// HTTP server: they end when it stops, where a preview left running
	// would hold the pool's closing up for its whole run.
	pages, stopPages := context.WithCancel(context.WithoutCancel(ctx))
	defer stopPages()
	dashboard, err := a.newDashboard(pages, cfg, pool, logger, web.CSRFToken)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	handler, err := web.New(web.Options{DB: pool, Jobs: ui, Metrics: reg, API: api, Tokens: a.tokens(cfg, pool),
		Username: cfg.Server.Username, Password: cfg.Server.Password, Logger: logger,
		Letters: letterCallback(cfg, pool, a.clock, logger), Sessions: a.sessions(cfg, pool), Dashboard: dashboard,
		Locale: cfg.Locale, SSO: web.SSO{Header: cfg.Server.SSOHeader, Trusted: cfg.Server.SSOTrusted()}})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	httpErr := make(chan error, 1)
	go func() { httpErr <- srv.Serve(ln) }()

	if err := client.Start(ctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("serve: start river: %w", err)
	}
	if opts.ready != nil {
		opts.ready(ln.Addr().String())
	}
	scheduled := "off"
	if opts.periodic {
		scheduled = cfg.Sweep.Schedule
	}
	logger.Info("relance serving", "addr", ln.Addr().String(), "dashboard", "http://"+ln.Addr().String()+"/", "jobs", "http://"+ln.Addr().String()+"/jobs/",
		"schedule", scheduled, "timezone", cfg.TimeZone, "replica", replica)

	var runErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down: no new jobs")
	case err := <-httpErr:
		runErr = fmt.Errorf("serve: http: %w", err)
		logger.Error("http server failed, shutting down", "err", err)
	}
	shutdown := context.WithoutCancel(ctx)
	stopCtx, cancel := context.WithTimeout(shutdown, cfg.Server.ShutdownTimeout)
	if err := client.Stop(stopCtx); err != nil {
		logger.Warn("running jobs did not finish in time: cancelling them", "timeout", cfg.Server.ShutdownTimeout, "err", err)
		hardCtx, hardCancel := context.WithTimeout(shutdown, 10*time.Second)
		if err := client.StopAndCancel(hardCtx); err != nil {
			logger.Error("river did not stop", "err", err)
		}
		hardCancel()
	}
	cancel()
	logger.Info("river stopped")
	stopPages()
	httpCtx, httpCancel := context.WithTimeout(shutdown, 5*time.Second)
	if err := srv.Shutdown(httpCtx); err != nil {
		logger.Warn("http shutdown", "err", err)
	}
	httpCancel()
	stopUI()
	logger.Info("http server stopped")
	return runErr
}

// letterCallback is POST /webhooks/letters when the provider has a secret
// to sign its callbacks with; nil (no route) otherwise.
func letterCallback(cfg config.Config, pool *pgxpool.Pool, clk clock.Clock, logger *slog.Logger) *web.LetterCallback {
	w := cfg.Letters.Webhook
	if w.Secret == "" {
		return nil
	}
	return &web.LetterCallback{Proofs: ledger.New(pool, ledger.Options{}), Secret: []byte(w.Secret),
		Tolerance: w.Tolerance, Clock: clk, Location: cfg.Location(), Logger: logger}
}

// checkLetterChannels says at ERROR which entities send their letters by
// webhook while letters.webhook.url is not set: their formal notices would
// wait, retried, until it is.
func checkLetterChannels(ctx context.Context, pool *pgxpool.Pool, w config.LetterWebhook, logger *slog.Logger) error {
	if w.URL != "" {
		return nil
	}
	entities, err := ledger.New(pool, ledger.Options{}).Entities(ctx)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	for _, e := range entities {
		if e.LetterChannel == ledger.LetterWebhook {
			logger.Error("the entity sends its letters by webhook but letters.webhook.url is not set: its formal notices wait",
				"entity", e.Code, "fix", "set letters.webhook.url and RELANCE_LETTERS_WEBHOOK_SECRET, or relance entity set "+e.Code+" --letter-channel outbox")
		}
	}
	return nil
}

// checkCredentials refuses to start with a blank or white-space-only user or
// password, naming the key: River UI changes state and must not be open.
func checkCredentials(s config.Server) error {
	var ce *web.CredentialError
	if err := web.CheckCredentials(s.Username, s.Password); errors.As(err, &ce) {
		key := "server." + ce.Field
		return fmt.Errorf("serve: %s (RELANCE_%s) is not set or only white space: River UI changes state and must not be open",
			key, strings.ToUpper(strings.ReplaceAll(key, ".", "_")))
	}
	return nil
}

// resumeSendQueue lifts a pause relance made after refusals of ours (the
// operator restarting serve has presumably fixed the cause) and says so; a
// pause made by an operator in River UI stays, and is said at ERROR, since
// nothing goes out until it is lifted.
func resumeSendQueue(ctx context.Context, pool *pgxpool.Pool, client worker.QueueResumer, logger *slog.Logger) error {
	p, err := worker.ResumeOwnPause(ctx, pool, client)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	switch {
	case p.Paused && p.ByUs:
		logger.Warn("the send queue was paused by relance after refusals of ours; resumed at start", "paused", p.String())
	case p.Paused:
		logger.Error("the send queue is paused by an operator: nothing is sent until it is resumed in River UI (/jobs/queues/send)", "since", p.Since)
	}
	return nil
}

// replicaID names this process among the replicas, as River UI and the
// river_leader table show it: the host and the process id, so that an
// operator can tell which process holds the lead.
func replicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "relance"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}
