package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

type pinger struct{ err error }

func (p pinger) Ping(context.Context) error { return p.err }

// TestRoutes is every route × credentials × origin: what answers, and what
// reaches River UI (a recording handler stands for it here; cmd/relance's
// serve test runs the real one).
func TestRoutes(t *testing.T) {
	var reached atomic.Int32
	jobs := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		io.WriteString(w, "river ui")
	})
	down := errors.New("dial tcp 10.0.0.7:5432: connect: connection refused (user=relance database=prod)")
	for _, db := range []struct {
		name string
		err  error
	}{{"up", nil}, {"down", down}} {
		h, err := New(Options{DB: pinger{db.err}, Jobs: jobs, Metrics: prometheus.NewRegistry(),
			Username: "admin", Password: "s3cret", Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		for _, c := range []struct {
			method, path string
			user, pass   string
			origin       string // "" none, "same" the server's own
			want         int
			body         string // substring of the body; "!x" means x must not appear
			toJobs       bool
		}{
			{"GET", "/healthz", "", "", "", 200, "ok", false},
			{"GET", "/metrics", "", "", "", 200, "", false},
			{"GET", "/jobs/", "", "", "", 401, "authentication required", false},
			{"GET", "/jobs/", "admin", "wrong", "", 401, "", false},
			{"GET", "/jobs/", "admin", "s3cret", "", 200, "river ui", true},
			{"GET", "/jobs/", "admin", "s3cret", "http://evil.example", 200, "river ui", true}, // reading is safe
			{"POST", "/jobs/api/jobs/cancel", "admin", "s3cret", "", 200, "", true},            // curl, a script: no browser, no origin
			{"POST", "/jobs/api/jobs/cancel", "admin", "s3cret", "same", 200, "", true},
			{"POST", "/jobs/api/jobs/cancel", "admin", "s3cret", "http://evil.example", 403, "", false},
			{"DELETE", "/jobs/api/jobs/4", "admin", "s3cret", "http://evil.example", 403, "", false},
			{"POST", "/jobs/api/jobs/cancel", "", "", "http://evil.example", 403, "", false},
			{"POST", "/healthz", "", "", "", 405, "", false},
		} {
			before := reached.Load()
			req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(`{"ids":["4"]}`))
			req.Header.Set("Content-Type", "text/plain")
			if c.user != "" {
				req.SetBasicAuth(c.user, c.pass)
			}
			switch c.origin {
			case "":
			case "same":
				req.Header.Set("Origin", srv.URL)
			default:
				req.Header.Set("Origin", c.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want || c.body != "" && !strings.Contains(string(body), c.body) {
				t.Errorf("db %s: %s %s (user %q, origin %q): %d %q, want %d with %q", db.name, c.method, c.path, c.user, c.origin, resp.StatusCode, body, c.want, c.body)
			}
			if got := reached.Load() > before; got != c.toJobs {
				t.Errorf("db %s: %s %s (origin %q): reached River UI %v, want %v", db.name, c.method, c.path, c.origin, got, c.toJobs)
			}
		}
	}
}

// TestReadyzShowsDetailsOnlyToTheOperator (issue 10, defect 11): a failing
// database is "database unreachable" to anonymous callers; its host, user and
// database name only to a caller with the credentials.
func TestReadyzShowsDetailsOnlyToTheOperator(t *testing.T) {
	down := errors.New("failed to connect to `user=relance database=prod`: 10.0.0.7:5432: connection refused")
	h, err := New(Options{DB: pinger{down}, Jobs: http.NotFoundHandler(), Metrics: prometheus.NewRegistry(),
		Username: "admin", Password: "s3cret", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(auth bool) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/readyz", nil)
		if auth {
			req.SetBasicAuth("admin", "s3cret")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(false); code != 503 || body != "database unreachable\n" {
		t.Errorf("anonymous: %d %q, want 503 \"database unreachable\" and nothing else", code, body)
	}
	if code, body := get(true); code != 503 || !strings.Contains(body, "10.0.0.7:5432") {
		t.Errorf("operator: %d %q, want 503 with the cause", code, body)
	}
}

func TestNewRefusesBlankCredentials(t *testing.T) {
	for _, c := range []struct{ user, pass, field string }{
		{"admin", "", "password"}, {"admin", " \t ", "password"}, {"", "s3cret", "username"}, {"  ", "s3cret", "username"},
	} {
		_, err := New(Options{DB: pinger{}, Jobs: http.NotFoundHandler(), Metrics: prometheus.NewRegistry(), Username: c.user, Password: c.pass})
		var ce *CredentialError
		if !errors.As(err, &ce) || ce.Field != c.field || !errors.Is(err, ErrBlankCredentials) {
			t.Errorf("user %q password %q: %v, want a CredentialError on %s", c.user, c.pass, err, c.field)
		}
	}
}
