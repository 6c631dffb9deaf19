package web

import (
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// routeKind says how a route answers a refusal: the API and River UI's API
// in JSON, River UI's pages and the dashboard by sending a browser to the
// login page.
type routeKind int

const (
	kindAPI       routeKind = iota // /api/v1: bearer tokens only
	kindBrowser                    // River UI's pages
	kindDashboard                  // the dashboard's pages and forms
	kindJobsAPI                    // River UI's own API, called by its script
	kindOpen                       // probes, the login page
)

type routeCase struct {
	pattern string
	level   Level // 0: open to all
	kind    routeKind
}

// DashboardRoute is one route of the dashboard the route table runs: its
// pattern with the path filled in ("POST /clients/C1/disputes") and the
// level it requires.
type DashboardRoute struct {
	Pattern string
	Level   Level
}

// SeededClient is a client the route table records before it runs, for
// the dashboard's /clients/{code} routes.
const SeededClient = "C1"

// DashboardUnderTest builds the dashboard the route table mounts behind
// the sessions, from the API's options (its database, clock, time zone,
// ledger options and aging edges), and lists its routes. The real one is
// built by package web_test, which may import internal/web/dashboard (an
// importer of web) where package web may not.
type DashboardUnderTest func(t *testing.T, api APIOptions) (http.Handler, []DashboardRoute)

// everyRoute is the server's routes: the API's from its route table (which
// TestOpenAPIDocumentsEveryRoute holds to docs/openapi.json), River UI's
// pages and API, the probes, the login page, and the dashboard's.
func everyRoute(e *dashEnv, dash []DashboardRoute) []routeCase {
	var out []routeCase
	for _, rt := range e.api.routes() {
		out = append(out, routeCase{rt.pattern, rt.level, kindAPI})
	}
	out = append(out,
		routeCase{"GET /jobs/", LevelAdmin, kindBrowser},
		routeCase{"GET /jobs/jobs/4", LevelAdmin, kindBrowser},
		routeCase{"GET /jobs/queues/send", LevelAdmin, kindBrowser},
		routeCase{"GET /jobs/api/jobs", LevelAdmin, kindJobsAPI},
		routeCase{"GET /jobs/api/queues", LevelAdmin, kindJobsAPI},
		routeCase{"POST /jobs/api/jobs/cancel", LevelAdmin, kindJobsAPI},
		routeCase{"POST /jobs/api/jobs/retry", LevelAdmin, kindJobsAPI},
		routeCase{"DELETE /jobs/api/jobs/4", LevelAdmin, kindJobsAPI},
		routeCase{"PUT /jobs/api/queues/send/pause", LevelAdmin, kindJobsAPI},
		routeCase{"GET /healthz", 0, kindOpen},
		routeCase{"GET /metrics", 0, kindOpen},
		routeCase{"GET /login", 0, kindOpen},
	)
	for _, d := range dash {
		out = append(out, routeCase{d.Pattern, d.Level, kindDashboard})
	}
	return out
}

// caller is one of the five kinds of browser: with no session, with the
// session of a viewer, a manager or an admin, or with an expired session.
type caller struct {
	name    string
	cookie  *http.Cookie
	csrf    string
	level   Level // 0: no session in force
	expired bool
}

func callers(e *dashEnv) []caller {
	out := []caller{{name: "anonymous"}}
	for _, r := range []Role{RoleViewer, RoleManager, RoleAdmin} {
		c, csrf := e.login(testUsers[r])
		out = append(out, caller{name: string(r), cookie: c, csrf: csrf, level: r.Level()})
	}
	c, csrf := e.login(testUsers[RoleAdmin])
	hash := sha256.Sum256([]byte(c.Value))
	if _, err := e.db.Exec(e.t.Context(), `UPDATE web_session SET created_at = created_at - interval '13 hours' WHERE id_hash = $1`, hash[:]); err != nil {
		e.t.Fatal(err)
	}
	return append(out, caller{name: "expired admin session", cookie: c, csrf: csrf, expired: true})
}

// EveryRouteForEveryCaller is TestEveryRouteForEveryCaller (package
// web_test), every route × five callers, with the dashboard dash builds.
// Each refusal is asserted: the status, where a browser is sent (the login
// page, back to the page asked for) or the JSON error, the cookie of an
// expired session cleared, River UI not reached, and no event recorded.
// The dashboard's forms are posted empty: a caller let through gets the
// form's own 422 (nothing is confirmed, nothing recorded), and each is
// posted again without the CSRF token, which a session is refused with 403.
func EveryRouteForEveryCaller(t *testing.T, dash DashboardUnderTest) {
	var routes []DashboardRoute
	e := newDashEnvWith(t, SSO{}, func(api APIOptions) http.Handler {
		h, rs := dash(t, api)
		routes = rs
		return h
	})
	e.seed()
	checkDashboardRoutes(t, routes)
	all := everyRoute(e, routes)
	for _, c := range callers(e) {
		for _, rt := range all {
			method, path := routePath(rt.pattern)
			var form url.Values
			if method != "GET" {
				form = url.Values{}
			}
			var headers []string
			if rt.kind != kindBrowser && rt.kind != kindDashboard && rt.kind != kindOpen {
				headers = []string{"Accept", "application/json", CSRFHeader, c.csrf}
			}
			events := e.count(`SELECT count(*) FROM event`)
			r := e.page(method, path, c.cookie, c.csrf, form, headers...)
			checkRoute(t, rt, c, method, path, r)
			if (rt.level > c.level || rt.kind == kindDashboard) && e.count(`SELECT count(*) FROM event`) != events {
				t.Errorf("%s as %s: refused or not confirmed, yet an event was recorded", rt.pattern, c.name)
			}
			if rt.kind == kindDashboard && method == "POST" && c.level > 0 {
				noCSRF := e.page(method, path, c.cookie, "", url.Values{"confirm": {"yes"}})
				if noCSRF.status != http.StatusForbidden || !strings.Contains(string(noCSRF.body), "CSRF") {
					t.Errorf("%s as %s without the CSRF token: %d %s, want 403", rt.pattern, c.name, noCSRF.status, noCSRF.body)
				}
			}
		}
	}
	// Last, as it ends the sessions: logging out.
	for _, c := range callers(e) {
		r := e.page("POST", "/logout", c.cookie, c.csrf, url.Values{})
		want := "/login"
		if c.level == 0 {
			want = "/login?next=%2F"
		}
		if r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Errorf("POST /logout as %s: %d → %q, want 303 → %s", c.name, r.status, r.header.Get("Location"), want)
		}
	}
}

// checkDashboardRoutes fails t unless the dashboard has pages for readers
// and forms for writers: a table built from an empty list proves nothing.
func checkDashboardRoutes(t *testing.T, routes []DashboardRoute) {
	t.Helper()
	var pages, forms int
	for _, r := range routes {
		switch {
		case strings.HasPrefix(r.Pattern, "GET ") && r.Level == LevelRead:
			pages++
		case strings.HasPrefix(r.Pattern, "POST ") && r.Level == LevelWrite:
			forms++
		default:
			t.Errorf("dashboard route %s at level %d: want GET pages for readers, POST forms for writers", r.Pattern, r.Level)
		}
	}
	if pages == 0 || forms == 0 {
		t.Fatalf("the dashboard lists %d pages and %d forms", pages, forms)
	}
}

// checkRoute asserts what rt answered c.
func checkRoute(t *testing.T, rt routeCase, c caller, method, path string, r response) {
	t.Helper()
	reachedJobs := strings.Contains(string(r.body), "river ui")
	label := rt.pattern + " as " + c.name
	switch {
	case rt.kind == kindOpen:
		if r.status != http.StatusOK {
			t.Errorf("%s: %d, want 200 (open to all)", label, r.status)
		}
	case rt.kind == kindAPI && rt.level == 0:
		if r.status != http.StatusOK {
			t.Errorf("%s: %d, want 200", label, r.status)
		}
	case rt.kind == kindAPI: // a session is no credential for the API
		if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d %s, want 401 with a Bearer challenge", label, r.status, r.body)
		}
	case c.level == 0 && (rt.kind == kindBrowser || rt.kind == kindDashboard):
		next := "/"
		if method == "GET" {
			next = path
		}
		if want := "/login?next=" + url.QueryEscape(next); r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Errorf("%s: %d → %q, want 303 → %s", label, r.status, r.header.Get("Location"), want)
		}
	case c.level == 0:
		if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), `"error":"authentication required"`) {
			t.Errorf("%s: %d %s, want 401 in JSON", label, r.status, r.body)
		}
	case c.level < rt.level:
		if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "may not do this") {
			t.Errorf("%s: %d %s, want 403", label, r.status, r.body)
		}
	case rt.kind == kindDashboard && method == "POST": // let through, to the form's own check
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "confirm") {
			t.Errorf("%s: %d %s, want the form's 422 (not confirmed)", label, r.status, r.body)
		}
	default:
		if r.status != http.StatusOK {
			t.Errorf("%s: %d %s, want 200", label, r.status, r.body)
		}
	}
	if c.expired && rt.level > 0 && rt.kind != kindAPI && !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("%s: the expired session's cookie is not cleared", label)
	}
	if wantJobs := strings.HasPrefix(path, JobsPrefix) && c.level >= LevelAdmin; reachedJobs != wantJobs {
		t.Errorf("%s: River UI reached: %v, want %v", label, reachedJobs, wantJobs)
	}
}
