package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// routePath is a route's path with its wildcards filled.
func routePath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.NewReplacer("{code}", "C1", "{number}", "F-1").Replace(path)
	return method, path
}

// TestAPIRoutesByRole is every route × every kind of caller: without a
// token (401; the OpenAPI document is open to all), with an unknown or a
// revoked one (401, everywhere), and with each role:
// refused with 403 below the route's level, let through at or above it
// (the handler then answers: 200, or its own 400/404/409 for the empty
// body, never 401 or 403). Each refusal is checked for its status, its
// challenge or message, and for having written nothing.
func TestAPIRoutesByRole(t *testing.T) {
	e := newAPIEnv(t, 0)
	e.seed()
	ctx := context.Background()
	revoked, err := e.api.opts.Tokens.Create(ctx, "old", RoleAdmin, "cli:tester")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.api.opts.Tokens.Revoke(ctx, "old", "cli:tester"); err != nil {
		t.Fatal(err)
	}
	callers := []struct {
		name  string
		token string
		level Level // 0: no principal
	}{
		{"no token", "", 0},
		{"unknown token", "rlc_" + strings.Repeat("x", 43), 0},
		{"revoked token", revoked, 0},
		{"reader", e.tokens[RoleReader], LevelRead},
		{"writer", e.tokens[RoleWriter], LevelWrite},
		{"admin", e.tokens[RoleAdmin], LevelAdmin},
	}
	routes := e.api.routes()
	if len(routes) < 18 {
		t.Fatalf("%d routes", len(routes))
	}
	for _, rt := range routes {
		method, path := routePath(rt.pattern)
		for _, c := range callers {
			events := e.count(`SELECT count(*) FROM event`)
			var body any
			if method != "GET" {
				body = map[string]any{}
			}
			r := e.do(method, path, c.token, body)
			switch {
			case rt.level == 0 && (c.token == "" || c.level > 0):
				if r.status != http.StatusOK {
					t.Errorf("%s as %s: %d %s, want 200 (open to all)", rt.pattern, c.name, r.status, r.body)
				}
			case c.level == 0: // no token, or a wrong one even where none is needed
				if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") ||
					!strings.Contains(string(r.body), "authentication required") {
					t.Errorf("%s as %s: %d %q (challenge %q), want 401 with a Bearer challenge", rt.pattern, c.name, r.status, r.body, r.header.Get("WWW-Authenticate"))
				}
			case c.level < rt.level:
				if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "may not do this") {
					t.Errorf("%s as %s: %d %s, want 403", rt.pattern, c.name, r.status, r.body)
				}
			default:
				if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden || r.status >= 500 {
					t.Errorf("%s as %s: %d %s, want it let through", rt.pattern, c.name, r.status, r.body)
				}
			}
			if refused := rt.level > 0 && c.level < rt.level; refused && e.count(`SELECT count(*) FROM event`) != events {
				t.Errorf("%s as %s: refused, yet an event was recorded", rt.pattern, c.name)
			}
		}
	}
}

// TestRiverUIForAdminsOnly: River UI takes the operator's basic auth or an
// admin token; a writer token is refused, and a bearer request is not
// subject to the same-origin check (a browser never sends one by itself)
// while a basic-auth one is.
func TestRiverUIForAdminsOnly(t *testing.T) {
	e := newAPIEnv(t, 0)
	for _, c := range []struct {
		name, token, user, origin string
		want                      int
	}{
		{"admin token", e.tokens[RoleAdmin], "", "", 200},
		{"admin token from another site", e.tokens[RoleAdmin], "", "http://evil.example", 200},
		{"writer token", e.tokens[RoleWriter], "", "", 403},
		{"reader token", e.tokens[RoleReader], "", "", 403},
		{"bad token", "rlc_nope", "", "", 401},
		{"operator", "", "admin", "", 200},
		{"operator from another site", "", "admin", "http://evil.example", 403},
	} {
		req, _ := http.NewRequest("POST", e.url+"/jobs/api/jobs/cancel", strings.NewReader(`{"ids":["1"]}`))
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		if c.user != "" {
			req.SetBasicAuth(c.user, "s3cret")
		}
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
}

// TestTokensNeverLogged: the daemon's log of a run of requests (good,
// wrong, revoked tokens, writes and reads) never holds a secret, and
// neither does the token list; every write's event names api:<token name>.
func TestTokensNeverLogged(t *testing.T) {
	e := newAPIEnv(t, 0)
	e.seed()
	wrong := "rlc_" + strings.Repeat("w", 43)
	e.do("GET", "/api/v1/aging", wrong, nil)
	e.do("GET", "/api/v1/clients/C1", e.tokens[RoleReader], nil)
	e.do("POST", "/api/v1/disputes", e.tokens[RoleReader], map[string]any{"invoice_number": "F-1", "reason": "price"})
	e.writer(200, "POST", "/api/v1/disputes", map[string]any{"invoice_number": "F-1", "reason": "price"})
	e.do("GET", "/jobs/", e.tokens[RoleAdmin], nil)
	list := e.do("GET", "/api/v1/tokens", e.tokens[RoleAdmin], nil)
	log := e.log.String()
	if !strings.Contains(log, "by=api:erp-writer") {
		t.Errorf("the log does not name the writer:\n%s", log)
	}
	for role, secret := range e.tokens {
		if strings.Contains(log, secret) || strings.Contains(string(list.body), secret) {
			t.Errorf("the %s token's secret appears in the log or the token list", role)
		}
	}
	if strings.Contains(log, wrong) || strings.Contains(log, "rlc_") {
		t.Errorf("a secret appears in the log:\n%s", log)
	}
	if n := e.count(`SELECT count(*) FROM event WHERE actor NOT LIKE 'api:erp-writer'`); n != 0 {
		t.Errorf("%d events not recorded as api:erp-writer", n)
	}
	if n := e.count(`SELECT count(*) FROM api_token WHERE position('rlc_' in encode(secret_hash, 'escape')) > 0`); n != 0 {
		t.Errorf("a secret is stored in clear")
	}
}
