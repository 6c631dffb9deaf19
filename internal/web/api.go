package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/importer"
	"github.com/relance/relance/internal/ledger"
)

// APIPrefix is where the JSON API is served.
const APIPrefix = "/api/v1"

// DefaultBodyLimit is the largest request body the API reads
// (server.api_body_limit): a batch of 10,000 invoices with their clients'
// details is about 5 MB.
const DefaultBodyLimit = 16 << 20

// MaxBatch is the most items one write takes.
const MaxBatch = 10_000

// Previewer gives the upcoming sends of an entity over days from from, as
// `relance preview --format json` prints them; cmd/relance wires the
// preview package behind it.
type Previewer interface {
	Preview(ctx context.Context, entity string, from time.Time, days int) (any, error)
}

// APIOptions is what the API is built from: values, not configuration.
type APIOptions struct {
	DB       ledger.DB // *pgxpool.Pool
	Tokens   Tokens    // who may call it
	Clock    clock.Clock
	Location *time.Location // the business day of "today" and of timeline events
	// Ledger is the template of every request's store; its Entity is the
	// entity of requests that name none.
	Ledger ledger.Options
	// Import is the template of the batch writes: default terms, the
	// end-of-month method, the default currency.
	Import importer.Options
	// AgingEdges are the bucket edges (aging.buckets).
	AgingEdges []int
	// NextStep gives the next-step column of the aged balance by invoice on
	// a day; nil leaves it empty.
	NextStep func(day time.Time) aging.NextStepper
	Preview  Previewer
	// BodyLimit caps a request's body (server.api_body_limit); 0 is
	// DefaultBodyLimit.
	BodyLimit int64
	Logger    *slog.Logger
}

// API is the JSON API under /api/v1: each route a pattern, the level it
// requires and its handler, in one table (routes) that the mux is built
// from and the OpenAPI document is checked against.
type API struct {
	opts    APIOptions
	handler http.Handler
}

// route is one endpoint of the API.
type route struct {
	pattern string // Go 1.22 mux pattern, "POST /api/v1/invoices"
	level   Level  // 0: open to all (the OpenAPI document)
	handler http.HandlerFunc
}

// NewAPI builds the API.
func NewAPI(o APIOptions) *API {
	if o.BodyLimit <= 0 {
		o.BodyLimit = DefaultBodyLimit
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Ledger.Entity == "" {
		o.Ledger.Entity = "default"
	}
	api := &API{opts: o}
	mux := http.NewServeMux()
	for _, rt := range api.routes() {
		h := http.Handler(rt.handler)
		if rt.level > 0 {
			h = apiGuard.Require(rt.level, h)
		}
		mux.Handle(rt.pattern, h)
	}
	mux.HandleFunc(APIPrefix+"/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{status: http.StatusNotFound, msg: "no such endpoint: see " + APIPrefix + "/openapi.json"})
	})
	api.handler = authenticate(api.logged(mux), apiUnauthenticated, o.Tokens)
	return api
}

// routes is the API, route by route.
func (api *API) routes() []route {
	p := APIPrefix
	return []route{
		{"GET " + p + "/openapi.json", 0, serveOpenAPI},

		{"GET " + p + "/aging", LevelRead, api.aging},
		{"GET " + p + "/clients/{code}", LevelRead, api.client},
		{"GET " + p + "/invoices/{number}", LevelRead, api.invoice},
		{"GET " + p + "/preview", LevelRead, api.preview},

		{"POST " + p + "/clients", LevelWrite, api.write(api.upsertClients)},
		{"PUT " + p + "/clients/{code}", LevelWrite, api.write(api.upsertClient)},
		{"POST " + p + "/invoices", LevelWrite, api.write(api.upsertInvoices)},
		{"PUT " + p + "/invoices/{number}", LevelWrite, api.write(api.upsertInvoice)},
		{"POST " + p + "/payments", LevelWrite, api.write(api.recordPayments)},
		{"POST " + p + "/allocations", LevelWrite, api.write(api.allocate)},
		{"POST " + p + "/disputes", LevelWrite, api.write(api.openDispute)},
		{"POST " + p + "/disputes/{number}/resolve", LevelWrite, api.write(api.resolveDispute)},
		{"POST " + p + "/promises", LevelWrite, api.write(api.recordPromise)},
		{"PUT " + p + "/clients/{code}/insolvency", LevelWrite, api.write(api.recordInsolvency)},
		{"POST " + p + "/clients/{code}/pause", LevelWrite, api.write(api.pauseClient)},
		{"POST " + p + "/clients/{code}/resume", LevelWrite, api.write(api.resumeClient)},

		{"GET " + p + "/tokens", LevelAdmin, api.tokens},
	}
}

func (api *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { api.handler.ServeHTTP(w, r) }

// statusRecorder remembers the status a handler wrote, for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// logged logs each request: method, path, status and who. Never a header:
// the Authorization header holds a secret.
func (api *API) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		who := "anonymous"
		if p, ok := PrincipalFrom(r.Context()); ok {
			who = p.Actor()
		}
		api.opts.Logger.Info("api", "method", r.Method, "path", r.URL.Path, "status", rec.status, "by", who)
	})
}

// store is a ledger store on db for the request's entity.
func (api *API) store(db ledger.DB, entity string) *ledger.Store {
	o := api.opts.Ledger
	if entity != "" {
		o.Entity = entity
	}
	return ledger.New(db, o)
}

// entityOf is the entity a request names (?entity=), or the default one.
func (api *API) entityOf(r *http.Request) string {
	if e := r.URL.Query().Get("entity"); e != "" {
		return e
	}
	return api.opts.Ledger.Entity
}

// day is the request's ?as_of=, or today through the clock.
func (api *API) day(r *http.Request) (time.Time, error) {
	s := r.URL.Query().Get("as_of")
	d, err := clock.AsOf(s, api.opts.Clock, api.opts.Location)
	if err != nil {
		return d, fieldError("as_of", err.Error())
	}
	return d, nil
}
