package dashboard

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/importer"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/web"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/worker"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

var paris, _ = time.LoadLocation("Europe/Paris")

// today is the clock's day in every test: a Friday.
var today = clock.Date(2025, 9, 12)

var edges = []int{30, 60, 90, 120}

// csrfToken is what the fake session gives every form.
const csrfToken = "tok-123"

// env is the dashboard on a seeded database, served on loopback behind a
// test-only middleware that puts in each request the principal its
// X-Test-User header names ("alice:manager"); none: anonymous.
type env struct {
	t   *testing.T
	db  *pgxpool.Pool
	url string
	set *plans.Set
	// sweeper is the engine's sweep the preview runs.
	sweeper *worker.Sweeper
}

func newEnv(t *testing.T, files ...string) *env {
	t.Helper()
	return newEnvWith(t, nil, files...)
}

// newEnvWith is newEnv with the dashboard's options changed by tweak first.
func newEnvWith(t *testing.T, tweak func(*Options), files ...string) *env {
	t.Helper()
	pool := pgtest.NewDB(t)
	for _, f := range files {
		importFile(t, pool, f)
	}
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.Fixed(time.Date(2025, 9, 12, 10, 0, 0, 0, paris))
	sweeper := &worker.Sweeper{Plans: set, Clock: clk,
		Calendars: func(country string) (worker.Calendar, error) { return calendar.For(country) }}
	o := Options{DB: pool, Clock: clk, Location: paris, Locale: "fr", AgingEdges: edges,
		Ledger: ledger.Options{Entity: "default", DisputeReasons: []string{"price", "quality"}, PromiseGraceDays: 3},
		Plans:  set, Sweeper: sweeper,
		CSRFToken: func(*http.Request) string { return csrfToken },
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil))}
	if tweak != nil {
		tweak(&o)
	}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(testPrincipal(h))
	t.Cleanup(srv.Close)
	return &env{t: t, db: pool, url: srv.URL, set: set, sweeper: sweeper}
}

// importFile imports an invoice file as `relance import invoices` does,
// its data as of 08:00 the same day.
func importFile(t *testing.T, db *pgxpool.Pool, path string) {
	t.Helper()
	terms, _ := ledger.ParseTerms("30")
	_, err := importer.ImportInvoices(context.Background(), db, path, importer.Options{Entity: "default", Actor: "cli:tester",
		AsOf: today, DataAsOf: time.Date(2025, 9, 12, 8, 0, 0, 0, paris), DefaultTerms: terms, Currency: "EUR"})
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
}

// testPrincipal stands for the session middleware the access side builds.
func testPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, role, ok := strings.Cut(r.Header.Get("X-Test-User"), ":"); ok {
			r = r.WithContext(web.WithPrincipal(r.Context(), web.Principal{Kind: web.KindUser, Name: name, Role: web.Role(role)}))
		}
		next.ServeHTTP(w, r)
	})
}

// resp is an answer read whole.
type resp struct {
	status int
	header http.Header
	body   string
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (e *env) do(method, user, path string, form url.Values, header ...string) resp {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, string(b)}
}

// get fetches path as user and fails the test unless it answers 200.
func (e *env) get(user, path string, header ...string) string {
	e.t.Helper()
	r := e.do(http.MethodGet, user, path, nil, header...)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s as %s: %d %s", path, user, r.status, r.body)
	}
	return r.body
}

// attrs returns the values of attribute name in html, in order.
func attrs(html, name string) []string {
	var out []string
	for _, m := range regexp.MustCompile(` `+regexp.QuoteMeta(name)+`="([^"]*)"`).FindAllStringSubmatch(html, -1) {
		out = append(out, m[1])
	}
	return out
}

// between returns the part of html from the first from to the next to.
func between(html, from, to string) string {
	i := strings.Index(html, from)
	if i < 0 {
		return ""
	}
	rest := html[i:]
	if j := strings.Index(rest, to); j >= 0 {
		return rest[:j]
	}
	return rest
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", name, path, firstDiff(string(want), got))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, wl, gl)
		}
	}
	return ""
}

const manager, viewer, admin = "alice:manager", "victor:viewer", "ada:admin"

// barLink finds each bar of the chart with its link.
var barLink = regexp.MustCompile(`<a href="([^"]*)" class="bar-link"><g class="bar" data-bucket="([^"]*)"`)

// store is the ledger of the default entity.
func (e *env) store() *ledger.Store {
	return ledger.New(e.db, ledger.Options{Entity: "default", DisputeReasons: []string{"price", "quality"}})
}

// act is actor's act today.
func act(actor string) ledger.Act { return ledger.Act{Actor: actor, Day: today} }

func disputeOn(number string) ledger.DisputeOpening {
	return ledger.DisputeOpening{Invoice: number, Reason: "quality"}
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }
