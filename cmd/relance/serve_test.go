package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/pgtest"
)

func TestServeRefusesWithoutPassword(t *testing.T) {
	_, _, err := runCLI(t, []string{"DATABASE_URL=" + pgtest.URL(t)}, "serve")
	if err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("err = %v, want a refusal naming the password", err)
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

// TestServeEndpointsAndShutdown starts the daemon, checks its endpoints and
// authentication, then cancels it (SIGTERM) and expects a clean exit.
func TestServeEndpointsAndShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	// A rate file whose ECB table stops before 1 July 2025: the half-year of
	// the clock's day has no rate, which serve warns about and runs anyway.
	rates := filepath.Join(t.TempDir(), "rates.yaml")
	if err := os.WriteFile(rates, []byte("ecb_mro:\n  - {from: 2025-06-11, rate: \"2.15\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"DATABASE_URL=" + pgtest.URL(t), "RELANCE_SERVER_PASSWORD=s3cret", "RELANCE_SERVER_ADDR=" + addr,
		"RELANCE_MAIL_DIR=" + t.TempDir(), "RELANCE_SERVER_SHUTDOWN_TIMEOUT=5s", "RELANCE_MAIL_FROM=compta@durand.example",
		"RELANCE_PENALTIES_RATES_FILE=" + rates}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, environment{
			stdin: strings.NewReader(""), stdout: io.Discard, stderr: &syncWriter{w: &stderr}, env: env,
			clock: clock.Fixed(time.Date(2025, 9, 12, 10, 0, 0, 0, time.UTC)),
		})
	}()
	base := "http://" + addr
	var resp *http.Response
	for range 100 {
		if resp, err = http.Get(base + "/healthz"); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err != nil {
		t.Fatalf("serve never answered: %v", err)
	}
	resp.Body.Close()
	get := func(path, user, pass string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	for _, c := range []struct {
		path, user, pass string
		want             int
	}{
		{"/healthz", "", "", 200},
		{"/readyz", "", "", 200},
		{"/metrics", "", "", 200},
		{"/jobs/", "", "", 401},
		{"/jobs/", "admin", "wrong", 401},
		{"/jobs/", "admin", "s3cret", 200},
		{"/jobs/api/jobs?state=available", "admin", "s3cret", 200},
	} {
		if got := get(c.path, c.user, c.pass); got != c.want {
			t.Errorf("GET %s as %q: %d, want %d", c.path, c.user, got, c.want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	for _, want := range []string{"penalty rate missing", "ecb_mro has no entry for the half-year from 2025-07-01",
		"river stopped", "http server stopped", "database pool closed"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, stderr.String())
		}
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
