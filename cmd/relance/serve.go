package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"github.com/spf13/cobra"
	"riverqueue.com/riverui"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/worker"
)

func newServeCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the daemon: scheduler, workers, dashboard, API and River UI",
		Long: `serve runs the daemon: the River client working the sweep and send queues
(sweep.send_concurrency senders), the daily sweep scheduled by sweep.schedule in
the configured time zone, and an HTTP server on server.addr with:

  /jobs/     River UI, the ops job dashboard (basic auth: server.username and
             server.password; its actions change state, so serve refuses to
             start without a password)
  /healthz   the process is up
  /readyz    the database answers
  /metrics   Prometheus metrics (reminders sent, failed, dropped)

Any number of replicas may run against one database: River elects one leader
to schedule the sweep, every replica sends, and the reminder ledger makes each
(invoice, step) go out at most once. The schema must be current (run
` + "`relance migrate`" + ` first). On SIGTERM serve stops taking jobs, gives running ones
server.shutdown_timeout to finish, cancels the rest, stops HTTP and closes the
database pool, in that order.

Example:
  RELANCE_SERVER_PASSWORD=secret relance serve --config relance.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			return a.serve(cmd.Context(), cfg, serveOptions{periodic: true})
		},
	}
}

// serveOptions vary the daemon for `relance demo`.
type serveOptions struct {
	periodic bool              // schedule the daily sweep
	ready    func(addr string) // called once HTTP and River are up
}

// serve runs the daemon until ctx is cancelled; see newServeCmd.
func (a *app) serve(ctx context.Context, cfg config.Config, opts serveOptions) error {
	if cfg.Server.Password == "" {
		return errors.New("serve: server.password is not set (RELANCE_SERVER_PASSWORD): River UI changes state and must not be open")
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
	var periodic *river.PeriodicJob
	if opts.periodic {
		periodic = worker.PeriodicSweep(schedule, a.clock, cfg.Location())
	}
	eng, err := a.newEngine(cfg, pool, logger)
	if err != nil {
		return err
	}
	defer eng.close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics, err := worker.NewMetrics(reg)
	if err != nil {
		return err
	}
	eng.sender.Counters = metrics
	// A rate table behind the current half-year is a warning, not a stop:
	// reminders without penalties are still right.
	for _, gap := range eng.rateGaps(clock.Today(a.clock, cfg.Location())) {
		logger.Warn("penalty rate missing", "err", gap)
	}
	client, err := worker.NewClient(worker.ClientOptions{
		Pool: pool, Sweeper: eng.sweeper, Sender: eng.sender, SendConcurrency: cfg.Sweep.SendConcurrency,
		Work: true, Logger: logger, Periodic: periodic, RateGaps: eng.rateGaps,
	})
	if err != nil {
		return err
	}
	ui, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints:                riverui.NewEndpoints(client, nil),
		JobListHideArgsByDefault: true,
		Logger:                   logger,
		Prefix:                   "/jobs",
	})
	if err != nil {
		return fmt.Errorf("serve: river ui: %w", err)
	}
	// River UI's background services end with this context, after
	// the River client has stopped.
	uiCtx, stopUI := context.WithCancel(context.WithoutCancel(ctx))
	defer stopUI()
	if err := ui.Start(uiCtx); err != nil {
		return fmt.Errorf("serve: river ui: %w", err)
	}

	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{
		Handler:           serveMux(pool, ui, reg, cfg.Server.Username, cfg.Server.Password),
		ReadHeaderTimeout: 10 * time.Second,
	}
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
	if periodic != nil {
		scheduled = cfg.Sweep.Schedule
	}
	logger.Info("relance serving", "addr", ln.Addr().String(), "jobs", "http://"+ln.Addr().String()+"/jobs/",
		"schedule", scheduled, "timezone", cfg.TimeZone)

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
	httpCtx, httpCancel := context.WithTimeout(shutdown, 5*time.Second)
	if err := srv.Shutdown(httpCtx); err != nil {
		logger.Warn("http shutdown", "err", err)
	}
	httpCancel()
	stopUI()
	logger.Info("http server stopped")
	return runErr
}

// serveMux routes the daemon's HTTP endpoints. Everything is
// behind basic auth but the probes and the metrics.
func serveMux(pool *pgxpool.Pool, ui http.Handler, reg *prometheus.Registry, user, password string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := pool.Ping(ctx); err != nil {
			http.Error(w, "database: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("/jobs/", basicAuth(ui, user, password))
	// Metrics are counts only; scrapers get them without credentials.
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

func basicAuth(next http.Handler, user, password string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(user)) != 1 ||
			subtle.ConstantTimeCompare([]byte(p), []byte(password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="relance", charset="UTF-8"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
