package dashboard

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/internal/preview"
	"github.com/relance/relance/internal/watch"
	"github.com/relance/relance/internal/web"
	"github.com/relance/relance/plans"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Options is what the dashboard is built from: values, not configuration.
type Options struct {
	DB       ledger.DB // *pgxpool.Pool: the ledger, the aged balance, alerts, preview
	Clock    clock.Clock
	Location *time.Location // the business day of "today", the times shown
	// Ledger is the template of the store each request uses: the default
	// entity, the dispute reasons, the promise grace days.
	Ledger ledger.Options
	// Locale is the configured locale (fr or en): the downloads' words, as
	// `relance aging` writes them, and the pages' last resort.
	Locale     string
	AgingEdges []int // aging.buckets
	// Plans, Sweeper and Penalties run the preview as `relance preview`
	// does; Plans also gives the next step of each open item.
	Plans     *plans.Set
	Sweeper   preview.Sweeper
	Penalties *penalty.Calculator
	// Freshness is sweep.max_data_age: data older than it is flagged.
	Freshness watch.Policy
	// CSRFToken gives the token every form carries as csrf_token.
	CSRFToken func(*http.Request) string
	Logger    *slog.Logger
	// Base ends the upcoming page's previews, which run on past the load
	// that started them (a closed tab does not waste one): the server
	// cancels it when it stops, so that a preview does not hold the
	// shutdown up (relance serve). nil: context.Background(), never.
	Base context.Context

	// runPreview runs the upcoming page's preview; nil: preview.Run. The
	// tests count the runs through it.
	runPreview func(ctx context.Context, db preview.DB, opts preview.Options) (*preview.Report, error)
}

// Route is one route of the dashboard: its method, Go 1.22 pattern (without
// the method) and the level it requires.
type Route struct {
	Method  string
	Pattern string
	Level   web.Level
}

type route struct {
	Route
	handler func(w http.ResponseWriter, r *http.Request) error
}

// routes is the dashboard, route by route.
func (d *dashboard) routes() []route {
	get := func(p string, h func(http.ResponseWriter, *http.Request) error) route {
		return route{Route{http.MethodGet, p, web.LevelRead}, h}
	}
	post := func(p string, h func(http.ResponseWriter, *http.Request) error) route {
		return route{Route{http.MethodPost, p, web.LevelWrite}, h}
	}
	return []route{
		get("/{$}", d.agingPage),
		get("/aging", d.agingPage),
		get("/aging.csv", d.agingDownload("csv")),
		get("/aging.xlsx", d.agingDownload("xlsx")),
		get("/clients/{code}", d.clientPage),
		post("/clients/{code}/disputes", d.openDispute),
		post("/clients/{code}/disputes/resolve", d.resolveDispute),
		post("/clients/{code}/promises", d.recordPromise),
		post("/clients/{code}/pause", d.pauseClient),
		post("/clients/{code}/resume", d.resumeClient),
		post("/clients/{code}/insolvency", d.recordInsolvency),
		post("/clients/{code}/bounce/clear", d.clearBounce),
		get("/upcoming", d.upcomingPage),
		get("/alerts", d.alertsPage),
		get("/kpi", d.kpiPage),
		get("/assets/{file}", d.asset),
	}
}

// Routes lists every route of the dashboard with the level it requires.
func Routes() []Route {
	var d *dashboard
	rs := d.routes()
	out := make([]Route, len(rs))
	for i, r := range rs {
		out[i] = r.Route
	}
	return out
}

type dashboard struct {
	opts  Options
	pages map[string]*template.Template
	// forecasts keeps the upcoming page's previews (upcoming_cache.go).
	forecasts *forecasts
}

// New builds the dashboard's handler; templates are parsed here, once.
func New(o Options) (http.Handler, error) {
	if o.DB == nil || o.Clock == nil || o.Plans == nil || o.Sweeper == nil || o.CSRFToken == nil {
		return nil, errors.New("dashboard: a database, a clock, plans, a sweeper and a CSRF token source are required")
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Ledger.Entity == "" {
		o.Ledger.Entity = "default"
	}
	if o.Locale != "en" {
		o.Locale = "fr"
	}
	if o.runPreview == nil {
		o.runPreview = preview.Run
	}
	if o.Base == nil {
		o.Base = context.Background()
	}
	d := &dashboard{opts: o, forecasts: &forecasts{
		base: o.Base,
		run: func(ctx context.Context, opts preview.Options) (*preview.Report, error) {
			return o.runPreview(ctx, o.DB, opts)
		},
		changed: func(ctx context.Context, rep *preview.Report) (bool, error) { return preview.Changed(ctx, o.DB, rep) },
		now:     o.Clock.Now,
	}}
	if err := d.parse(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	for _, rt := range d.routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, d.guard(rt))
	}
	return mux, nil
}

// parse parses each page with the layout.
func (d *dashboard) parse() error {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	d.pages = map[string]*template.Template{}
	for _, n := range names {
		base := n[len("templates/") : len(n)-len(".html")]
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return fmt.Errorf("dashboard: template %s: %w", n, err)
		}
		d.pages[base] = t
	}
	return nil
}

// guard lets a route through for a principal at its level (401 without
// one, 403 below it), and answers the handler's error.
func (d *dashboard) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := web.PrincipalFrom(r.Context())
		switch {
		case !ok:
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		case p.Role.Level() < rt.Level:
			http.Error(w, "your role may not do this", http.StatusForbidden)
			return
		}
		if err := rt.handler(w, r); err != nil {
			d.fail(w, r, err)
		}
	})
}

// httpError is an error with the status it answers.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// fail answers an error: its own status for an httpError, 404 for what the
// ledger or the aged balance does not know, 503 for a page the server's
// stop cut short (a forecast cancelled with Base: nothing is wrong, the
// load is to be made again once the server is back), else 500 (logged, not
// shown).
func (d *dashboard) fail(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	switch {
	case errors.As(err, &he):
		http.Error(w, he.msg, he.status)
	case errors.Is(err, ledger.ErrNotFound), errors.Is(err, aging.ErrNotFound), errors.Is(err, preview.ErrUnknownEntity):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, context.Canceled) && d.opts.Base.Err() != nil:
		d.opts.Logger.Info("dashboard: page cut short by the server's stop", "method", r.Method, "path", r.URL.Path)
		w.Header().Set("Retry-After", "10")
		http.Error(w, "relance is stopping: load the page again in a moment", http.StatusServiceUnavailable)
	default:
		d.opts.Logger.Error("dashboard", "method", r.Method, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// render writes page with data, whole or not at all.
func (d *dashboard) render(w http.ResponseWriter, status int, page string, data any) error {
	var buf bytes.Buffer
	if err := d.pages[page].Execute(&buf, data); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// asset serves the embedded stylesheet.
func (d *dashboard) asset(w http.ResponseWriter, r *http.Request) error {
	b, err := assetFS.ReadFile("assets/" + r.PathValue("file"))
	if err != nil {
		return &httpError{http.StatusNotFound, "no such asset"}
	}
	if ct := map[string]string{".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}[ext(r.PathValue("file"))]; ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Cache-Control", "max-age=3600")
	_, err = w.Write(b)
	return err
}

func ext(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			return name[i:]
		}
	}
	return ""
}
