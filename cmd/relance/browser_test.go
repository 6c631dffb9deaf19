package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/browsertest"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/pgtest"
)

// browserDaemon is `relance serve` on a fresh database with an admin and a
// viewer added by the CLI, for the browser tests.
func browserDaemon(t *testing.T) (d *servedDaemon, env []string, passwords map[string]string) {
	t.Helper()
	env = []string{"DATABASE_URL=" + pgtest.URL(t), "RELANCE_SERVER_PASSWORD=s3cret", "RELANCE_MAIL_DIR=" + t.TempDir(),
		"RELANCE_SERVER_SHUTDOWN_TIMEOUT=5s", "RELANCE_MAIL_FROM=compta@durand.example"}
	passwords = map[string]string{}
	for _, u := range []struct{ email, role string }{{"admin@durand.example", "admin"}, {"viewer@durand.example", "viewer"}} {
		// No password on standard input: one is generated and printed once.
		passwords[u.email] = strings.TrimSpace(must(t, env, "user", "add", u.email, "--role", u.role))
		if len(passwords[u.email]) < 20 {
			t.Fatalf("generated password %q", passwords[u.email])
		}
	}
	return startServe(t, env), env, passwords
}

// TestBrowserLogInAndSeeTheSweepJob: in Chromium, a wrong password is
// refused, the right one lands on the dashboard (the Secure session cookie
// is kept on http://127.0.0.1), and an admin opens River UI at /jobs/ and
// sees the day's sweep job, queued by `relance sweep --enqueue` and worked
// by the daemon.
func TestBrowserLogInAndSeeTheSweepJob(t *testing.T) {
	d, env, passwords := browserDaemon(t)
	ctx := browsertest.New(t)
	browsertest.Login(t, ctx, d.base, "admin@durand.example", "not the password")
	if text := browsertest.Text(t, ctx); !strings.Contains(text, "Adresse e-mail ou mot de passe incorrect") {
		t.Fatalf("wrong password: the page shows\n%s", text)
	}
	browsertest.Login(t, ctx, d.base, "admin@durand.example", passwords["admin@durand.example"])
	browsertest.WaitText(t, ctx, "Tableau de bord")
	browsertest.WaitText(t, ctx, "admin@durand.example (admin)")
	browsertest.Screenshot(t, ctx, filepath.Join(t.TempDir(), "home.png"))

	must(t, env, "sweep", "--enqueue", "--as-of", "2025-09-12")
	waitJob(t, env, "relance_sweep", "completed")
	browsertest.Navigate(t, ctx, d.base+"/jobs/jobs?state=completed")
	browsertest.WaitText(t, ctx, "relance_sweep")
}

// TestBrowserViewerHasNoActions: a viewer's dashboard has no action but
// logging out and no link to River UI, which answers 403; a POST without
// the CSRF token, and a form another site makes the browser submit, are
// both refused and leave the viewer logged in.
func TestBrowserViewerHasNoActions(t *testing.T) {
	d, _, passwords := browserDaemon(t)
	ctx := browsertest.New(t)
	browsertest.Login(t, ctx, d.base, "viewer@durand.example", passwords["viewer@durand.example"])
	browsertest.WaitText(t, ctx, "viewer@durand.example (viewer)")
	if n := browsertest.Count(t, ctx, `button, input[type=submit]`); n != 1 {
		t.Errorf("the viewer's page has %d buttons, want 1 (log out)", n)
	}
	if n := browsertest.Count(t, ctx, `a[href^="/jobs"]`); n != 0 {
		t.Errorf("the viewer's page links to River UI")
	}
	browsertest.Navigate(t, ctx, d.base+"/jobs/")
	if text := browsertest.Text(t, ctx); !strings.Contains(text, "may not do this") {
		t.Errorf("River UI for a viewer shows\n%s", text)
	}
	if n := browsertest.Count(t, ctx, `button`); n != 0 {
		t.Errorf("River UI for a viewer has %d buttons", n)
	}
	browsertest.Navigate(t, ctx, d.base+"/")
	status := browsertest.Eval[int](t, ctx, `fetch("/logout", {method: "POST"}).then(r => r.status)`)
	if status != http.StatusForbidden {
		t.Errorf("POST /logout without the CSRF token: %d, want 403", status)
	}
	// Another origin (another port of 127.0.0.1: same site, so the Lax
	// cookie goes along) submits a form to the daemon.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form id=f method=post action="%s/logout"></form><script>f.submit()</script>`, d.base)
	}))
	defer evil.Close()
	browsertest.Navigate(t, ctx, evil.URL)
	browsertest.WaitText(t, ctx, "cross-origin")
	browsertest.Navigate(t, ctx, d.base+"/")
	browsertest.WaitText(t, ctx, "viewer@durand.example (viewer)")
}

// waitJob waits until a job of kind reaches state.
func waitJob(t *testing.T, env []string, kind, state string) {
	t.Helper()
	pool, err := database.Open(t.Context(), strings.TrimPrefix(env[0], "DATABASE_URL="))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for range 600 {
		var n int
		if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = $1 AND state = $2`, kind, state).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no %s job reached %s", kind, state)
}
