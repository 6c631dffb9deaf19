package main

import (
	neturl "net/url"

	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/webhook"
)

func TestServeRefusesWithoutPassword(t *testing.T) {
	_, _, err := runCLI(t, []string{"DATABASE_URL=" + pgtest.URL(t)}, "serve")
	if err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("err = %v, want a refusal naming the password", err)
	}
}

// TestServeRefusesBlankCredentials (issue 10, defect 11): a password or user
// of white space only used to be accepted, and basic auth with it guards
// nothing. The refusal comes before anything else (here, before the
// unreachable database).
func TestServeRefusesBlankCredentials(t *testing.T) {
	for _, c := range []struct{ env, key string }{
		{"RELANCE_SERVER_PASSWORD=   ", "server.password"},
		{"RELANCE_SERVER_PASSWORD=\t", "server.password"},
		{"RELANCE_SERVER_USERNAME= ", "server.username"},
	} {
		env := []string{"DATABASE_URL=postgres://nobody@127.0.0.1:1/none?connect_timeout=1", "RELANCE_SERVER_PASSWORD=s3cret",
			"RELANCE_MAIL_FROM=compta@durand.example", strings.ReplaceAll(c.env, "\\t", "\t")}
		_, _, err := runCLI(t, env, "serve")
		if err == nil || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%q: %v, want a refusal naming %s", c.env, err, c.key)
		}
	}
}

// TestServeRefusesAnOutdatedSchema rolls the database back one relance
// migration: serve must refuse to start and say to run migrate.
func TestServeRefusesAnOutdatedSchema(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	pool, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`)
	pool.Close()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"DATABASE_URL=" + url, "RELANCE_SERVER_PASSWORD=secret", "RELANCE_MAIL_FROM=R <r@x.example>", "RELANCE_SERVER_ADDR=127.0.0.1:0"}
	_, _, err = runCLI(t, env, "serve")
	if !errors.Is(err, database.ErrSchemaOutdated) || !strings.Contains(err.Error(), "relance migrate") {
		t.Fatalf("serve on an outdated schema: %v, want ErrSchemaOutdated telling to run relance migrate", err)
	}
}

// servedDaemon is a `relance serve` running in-process on loopback.
type servedDaemon struct {
	base   string
	stderr *syncWriter
	cancel context.CancelFunc
	done   chan error
}

// startServe runs serve with env (plus an address on loopback) and flags,
// and waits for /healthz.
func startServe(t *testing.T, env []string, flags ...string) *servedDaemon {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	d := &servedDaemon{base: "http://" + addr, stderr: &syncWriter{w: &bytes.Buffer{}}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		d.done <- run(ctx, append([]string{"serve"}, flags...), environment{
			stdin: strings.NewReader(""), stdout: io.Discard, stderr: d.stderr, env: append(env, "RELANCE_SERVER_ADDR="+addr),
			clock: clock.Fixed(time.Date(2025, 9, 12, 10, 0, 0, 0, time.UTC)),
		})
	}()
	t.Cleanup(func() { _ = d.stop() })
	// Serving is said once River has started too: HTTP answers before
	// that, and a test that cut the database while River still started
	// saw serve give up (a start error) and its port close.
	for range 600 {
		if strings.Contains(d.stderr.String(), "relance serving") {
			if resp, err := http.Get(d.base + "/healthz"); err == nil {
				resp.Body.Close()
				return d
			}
		}
		select {
		case err := <-d.done:
			t.Fatalf("serve exited: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatal("serve never answered")
	return nil
}

// stop cancels serve (SIGTERM) and returns its error; an error too if it
// does not stop within 30 seconds.
func (d *servedDaemon) stop() error {
	d.cancel()
	select {
	case err, ok := <-d.done:
		if !ok {
			return nil
		}
		close(d.done)
		return err
	case <-time.After(30 * time.Second):
		return errors.New("serve did not stop")
	}
}

// request sends one request and returns the status and body.
func (d *servedDaemon) request(t *testing.T, method, path, user, pass string, header map[string]string, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, d.base+path, strings.NewReader(body))
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(b)
}

// TestServeEndpointsAndShutdown starts the daemon, checks its endpoints and
// authentication, then cancels it (SIGTERM) and expects a clean exit.
func TestServeEndpointsAndShutdown(t *testing.T) {
	// A rate file whose ECB table stops before 1 July 2025: the half-year of
	// the clock's day has no rate, which serve warns about and runs anyway.
	rates := filepath.Join(t.TempDir(), "rates.yaml")
	if err := os.WriteFile(rates, []byte("ecb_mro:\n  - {from: 2025-06-11, rate: \"2.15\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"DATABASE_URL=" + pgtest.URL(t), "RELANCE_SERVER_PASSWORD=s3cret",
		"RELANCE_MAIL_DIR=" + t.TempDir(), "RELANCE_SERVER_SHUTDOWN_TIMEOUT=5s", "RELANCE_MAIL_FROM=compta@durand.example",
		"RELANCE_PENALTIES_RATES_FILE=" + rates}
	reader := strings.TrimSpace(must(t, env, "token", "create", "--name", "bi", "--role", "reader"))
	admin := strings.TrimSpace(must(t, env, "token", "create", "--name", "ops", "--role", "admin"))
	d := startServe(t, env)
	for _, c := range []struct {
		path, user, pass string
		token            string
		want             int
	}{
		{"/healthz", "", "", "", 200},
		{"/readyz", "", "", "", 200},
		{"/metrics", "", "", "", 200},
		{"/jobs/", "", "", "", 401},
		{"/jobs/", "admin", "wrong", "", 401},
		{"/jobs/", "admin", "s3cret", "", 200},
		{"/jobs/api/jobs?state=available", "admin", "s3cret", "", 200},
		{"/jobs/", "", "", reader, 403},
		{"/jobs/", "", "", admin, 200},
		{"/api/v1/openapi.json", "", "", "", 200},
		{"/api/v1/aging", "", "", "", 401},
		{"/api/v1/aging", "admin", "s3cret", "", 401}, // the API takes tokens only
		{"/api/v1/aging?as_of=2025-09-12", "", "", reader, 200},
		{"/api/v1/preview?days=2", "", "", reader, 200},
	} {
		var header map[string]string
		if c.token != "" {
			header = map[string]string{"Authorization": "Bearer " + c.token}
		}
		if got, body := d.request(t, "GET", c.path, c.user, c.pass, header, ""); got != c.want {
			t.Errorf("GET %s as %q: %d %s, want %d", c.path, c.user+c.token[:min(len(c.token), 4)], got, body, c.want)
		}
	}
	if err := d.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	for _, want := range []string{"penalty rate missing", "ecb_mro has no entry for the half-year from 2025-07-01",
		"river stopped", "http server stopped", "database pool closed", "by=api:bi"} {
		if !strings.Contains(d.stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, d.stderr.String())
		}
	}
	if log := d.stderr.String(); strings.Contains(log, reader) || strings.Contains(log, admin) || strings.Contains(log, "rlc_") {
		t.Errorf("the daemon's log holds a token:\n%s", log)
	}
}

// TestServeRiverUIRefusesCrossSiteRequests (issue 10, defect 5) is the
// issue's repro against the real River UI: a POST to cancel a job, with the
// right credentials (a browser resends cached ones) but from another site,
// used to answer 200 and cancel the job. It must get 403 and leave the job
// alone; the same request from River UI's own page still works.
func TestServeRiverUIRefusesCrossSiteRequests(t *testing.T) {
	url := pgtest.URL(t)
	d := startServe(t, []string{"DATABASE_URL=" + url, "RELANCE_SERVER_PASSWORD=s3cret",
		"RELANCE_MAIL_DIR=" + t.TempDir(), "RELANCE_SERVER_SHUTDOWN_TIMEOUT=5s", "RELANCE_MAIL_FROM=compta@durand.example"})
	pool, err := database.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// A job River will not work before the test ends.
	var id int64
	if err := pool.QueryRow(t.Context(), `INSERT INTO river_job (kind, args, queue, state, scheduled_at, max_attempts, priority)
		VALUES ('relance_send', '{}', 'send', 'scheduled', now() + interval '1 day', 12, 1) RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	state := func() string {
		var s string
		if err := pool.QueryRow(t.Context(), `SELECT state FROM river_job WHERE id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	body := fmt.Sprintf(`{"ids":["%d"]}`, id)
	code, _ := d.request(t, "POST", "/jobs/api/jobs/cancel", "admin", "s3cret",
		map[string]string{"Origin": "http://evil.example", "Content-Type": "text/plain"}, body)
	if code != http.StatusForbidden || state() != "scheduled" {
		t.Fatalf("cross-site cancel: %d, job %s; want 403 and the job untouched", code, state())
	}
	code, _ = d.request(t, "POST", "/jobs/api/jobs/cancel", "admin", "s3cret",
		map[string]string{"Origin": d.base, "Content-Type": "application/json"}, body)
	if code != http.StatusOK || state() != "cancelled" {
		t.Errorf("same-origin cancel: %d, job %s; want 200 and cancelled", code, state())
	}
}

// syncWriter serialises writes from the daemon's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// String returns what was written, when w is a *bytes.Buffer.
func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.w.(*bytes.Buffer); ok {
		return b.String()
	}
	return ""
}

// TestServeReadyzHidesTheDatabaseFromAnonymousCallers (issue 10, defect 11):
// with the database gone, /readyz used to tell anyone its user, name and
// socket. Anonymous callers now read "database unreachable" only.
func TestServeReadyzHidesTheDatabaseFromAnonymousCallers(t *testing.T) {
	url := pgtest.URL(t)
	d := startServe(t, []string{"DATABASE_URL=" + url, "RELANCE_SERVER_PASSWORD=s3cret",
		"RELANCE_MAIL_DIR=" + t.TempDir(), "RELANCE_SERVER_SHUTDOWN_TIMEOUT=2s", "RELANCE_MAIL_FROM=compta@durand.example"})
	if code, _ := d.request(t, "GET", "/readyz", "", "", nil, ""); code != 200 {
		t.Fatalf("/readyz with the database up: %d", code)
	}
	// The database stops taking connections and drops the ones it has
	// (done from the cluster's postgres database).
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	admin, err := pgx.Connect(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.Exec(t.Context(), `ALTER DATABASE "`+name+`" WITH ALLOW_CONNECTIONS false`)
	if err == nil {
		_, err = admin.Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, name)
	}
	admin.Close(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	code, body := d.request(t, "GET", "/readyz", "", "", nil, "")
	if code != http.StatusServiceUnavailable || body != "database unreachable\n" {
		t.Errorf("anonymous /readyz with the database gone: %d %q, want 503 \"database unreachable\" and nothing more", code, body)
	}
	if code, body := d.request(t, "GET", "/readyz", "admin", "s3cret", nil, ""); code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "database unreachable: ") {
		t.Errorf("operator's /readyz: %d %q, want 503 with the cause", code, body)
	}
}

// TestServeLetterCallback: with letters.webhook.secret set, serve takes the
// provider's signed proofs at /webhooks/letters (no basic auth; the
// signature, checked against serve's clock); and an entity on the webhook
// channel without letters.webhook.url is said at start.
func TestServeLetterCallback(t *testing.T) {
	url := seededURL(t, `UPDATE entity SET letter_channel = 'webhook'`)
	secret := "whsec_0123456789abcdef"
	d := startServe(t, []string{"DATABASE_URL=" + url, "RELANCE_SERVER_PASSWORD=s3cret",
		"RELANCE_MAIL_DIR=" + t.TempDir(), "RELANCE_SERVER_SHUTDOWN_TIMEOUT=5s", "RELANCE_MAIL_FROM=compta@durand.example",
		"RELANCE_LETTERS_WEBHOOK_SECRET=" + secret})
	body := `{"key":"relance-unknown","event":"delivered","at":"2025-09-12T09:00:00Z"}`
	signed := webhook.Sign([]byte(secret), time.Date(2025, 9, 12, 10, 0, 0, 0, time.UTC), []byte(body))
	stale := webhook.Sign([]byte(secret), time.Date(2025, 9, 12, 9, 0, 0, 0, time.UTC), []byte(body))
	for _, c := range []struct {
		signature string
		want      int
	}{{"", 401}, {stale, 401}, {signed, 404}} {
		code, answer := d.request(t, "POST", "/webhooks/letters", "", "", map[string]string{"Relance-Signature": c.signature}, body)
		if code != c.want {
			t.Errorf("signature %q: %d %s, want %d", c.signature, code, answer, c.want)
		}
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	if log := d.stderr.String(); !strings.Contains(log, "the entity sends its letters by webhook but letters.webhook.url is not set") {
		t.Errorf("no word of the webhook entity without a provider:\n%s", log)
	}
}

// TestServeCancelsAForecastOnShutdown: a SIGTERM while the upcoming page's
// preview waits in PostgreSQL on a table another session holds. serve
// cancels the preview as it stops HTTP, and stops (HTTP without waiting for
// the page's load, the pool closed) while the table is still held; before,
// the pool's closing waited for the preview, which ran detached from its
// load.
func TestServeCancelsAForecastOnShutdown(t *testing.T) {
	url := pgtest.URL(t)
	env := []string{"DATABASE_URL=" + url, "RELANCE_SERVER_PASSWORD=s3cret", "RELANCE_MAIL_DIR=" + t.TempDir(),
		"RELANCE_SERVER_SHUTDOWN_TIMEOUT=5s", "RELANCE_MAIL_FROM=compta@durand.example",
		"RELANCE_SERVER_SSO_HEADER=X-Remote-User", "RELANCE_SERVER_SSO_TRUSTED_PROXIES=127.0.0.1/32"}
	must(t, env, "user", "add", "marie@example.fr", "--role", "viewer")
	ctx := context.Background()
	holder, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(ctx)
	watcher, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close(ctx)
	d := startServe(t, env)
	lock, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx) //nolint:errcheck // released at the end
	// The preview's sandbox copies the provision review's wake days.
	if _, err := lock.Exec(ctx, `LOCK TABLE provision_review_wake IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	loaded := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, d.base+"/upcoming", nil)
		req.Header.Set("X-Remote-User", "marie@example.fr")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			loaded <- -1
			return
		}
		res.Body.Close()
		loaded <- res.StatusCode
	}()
	waiting := false
	for range 1200 {
		if err := watcher.QueryRow(ctx, `SELECT count(*) > 0 FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%sandbox%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !waiting {
		t.Fatalf("the page's preview never waited on the lock:\n%s", d.stderr.String())
	}
	if err := d.stop(); err != nil {
		t.Fatalf("serve, while the preview's table is held: %v\n%s", err, d.stderr.String())
	}
	if status := <-loaded; status != http.StatusServiceUnavailable {
		t.Errorf("the page cut short by the stop answered %d, want 503 (come back later)", status)
	}
	if strings.Contains(d.stderr.String(), "level=ERROR") {
		t.Errorf("a forecast cancelled by the stop was logged as an error:\n%s", d.stderr.String())
	}
	for _, want := range []string{"http server stopped", "database pool closed", "page cut short by the server's stop"} {
		if !strings.Contains(d.stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, d.stderr.String())
		}
	}
	// Cancelled before HTTP stops, not after: the page's load ends, and
	// HTTP's shutdown does not run out its time waiting for it.
	if strings.Contains(d.stderr.String(), "http shutdown") {
		t.Errorf("HTTP's shutdown waited for the page's load:\n%s", d.stderr.String())
	}
}
