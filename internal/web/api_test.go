package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/relance/relance/docs"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/importer"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/preview"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// lockedBuffer is a log sink several request goroutines write to.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fakePreview stands for the preview run (cmd/relance's tests run the
// real one): a report of the preview package's type, with the days asked
// and nothing to send.
type fakePreview struct{}

func (fakePreview) Preview(_ context.Context, entity string, from time.Time, days int) (any, error) {
	rep := &preview.Report{Entity: entity}
	for d := range days {
		rep.Days = append(rep.Days, preview.Day{Date: from.AddDate(0, 0, d).Format(time.DateOnly)})
	}
	return rep, nil
}

// apiEnv is the daemon's handler with the API on a fresh database, served
// on loopback, and one token of each role.
type apiEnv struct {
	t      *testing.T
	db     ledger.DB
	url    string
	log    *lockedBuffer
	tokens map[Role]string
	api    *API
}

var paris, _ = time.LoadLocation("Europe/Paris")

// today is the clock's day in every API test.
var today = clock.Date(2025, 10, 1)

func newAPIEnv(t *testing.T, limit int64) *apiEnv { return newServerEnv(t, limit, nil) }

// newServerEnv is newAPIEnv with the daemon's options changed by with
// (nil: none), e.g. to add the dashboard's sessions.
func newServerEnv(t *testing.T, limit int64, with func(*Options)) *apiEnv {
	t.Helper()
	pool := pgtest.NewDB(t)
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clk := clock.Fixed(time.Date(2025, 10, 1, 10, 0, 0, 0, paris))
	tokens := Tokens{DB: pool, Clock: clk, Location: paris}
	terms, _ := ledger.ParseTerms("30")
	api := NewAPI(APIOptions{DB: pool, Tokens: tokens, Clock: clk, Location: paris,
		Ledger:     ledger.Options{Entity: "default", DisputeReasons: []string{"price", "quality"}, PromiseGraceDays: 3},
		Import:     importer.Options{DefaultTerms: terms, Currency: "EUR"},
		AgingEdges: []int{30, 60, 90, 120}, Preview: fakePreview{}, BodyLimit: limit, Logger: logger})
	jobs := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "river ui") })
	o := Options{DB: pool, Jobs: jobs, Metrics: prometheus.NewRegistry(), Username: "admin", Password: "s3cret",
		Logger: logger, API: api, Tokens: tokens}
	if with != nil {
		with(&o)
	}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &apiEnv{t: t, db: pool, url: srv.URL, log: logs, tokens: map[Role]string{}, api: api}
	for _, r := range []Role{RoleReader, RoleWriter, RoleAdmin} {
		secret, err := tokens.Create(context.Background(), "erp-"+string(r), r, "cli:tester")
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[r] = secret
	}
	return e
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a map.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	return m
}

// fields returns an error body's fields as "field: reason" lines.
func (r response) fields(t *testing.T) []string {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	var out []string
	for _, f := range b.Fields {
		out = append(out, f.Field+": "+f.Reason)
	}
	return out
}

// do sends a request as token (a secret; "" for none) with JSON body
// (nil: none) and extra headers.
func (e *apiEnv) do(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if strings.HasPrefix(path, APIPrefix) {
		checkDocumented(e.t, req, resp, data)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// openAPIRouter finds a request's operation in docs/openapi.json.
var openAPIRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		return nil, err
	}
	doc.Servers = nil // "/": any host, the test server's too
	return legacy.NewRouter(doc)
})

// checkDocumented fails the test when a response of the API is not as
// docs/openapi.json says: an undocumented status, a body off its schema.
// Every API test's every call goes through it.
func checkDocumented(t *testing.T, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	if req.URL.RawPath != "" {
		return // kin-openapi's router matches the unescaped path: F%2F2025 would be two segments
	}
	router, err := openAPIRouter()
	if err != nil {
		t.Fatal(err)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: not in docs/openapi.json: %v", req.Method, req.URL.Path, err)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s: %d %s is not as docs/openapi.json says: %v", req.Method, req.URL.Path, resp.StatusCode, body, err)
	}
}

// writer sends as the writer token and fails the test unless it gets want.
func (e *apiEnv) writer(want int, method, path string, body any, headers ...string) response {
	e.t.Helper()
	r := e.do(method, path, e.tokens[RoleWriter], body, headers...)
	if r.status != want {
		e.t.Fatalf("%s %s: %d %s, want %d", method, path, r.status, r.body, want)
	}
	return r
}

// count runs a count query.
func (e *apiEnv) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// seed records two clients with one invoice each, dated before today.
func (e *apiEnv) seed() {
	e.t.Helper()
	e.writer(200, "POST", "/api/v1/invoices?as_of=2025-09-01", map[string]any{"invoices": []map[string]any{
		{"invoice_number": "F-1", "client_id": "C1", "client_name": "Alpha SARL", "issue_date": "2025-08-01",
			"due_date": "2025-08-31", "amount": "1200.00", "email": "compta@alpha.example"},
		{"invoice_number": "F-2", "client_id": "C2", "client_name": "Bêta SA", "issue_date": "2025-08-10",
			"amount": 800.5, "payment_terms": "30"},
	}})
}
