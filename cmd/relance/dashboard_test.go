package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/web"
)

// TestAgingDownloadIsTheCLIOutput builds the dashboard as serve wires it
// (newDashboard) and downloads the aged balance: the same bytes `relance
// aging --format csv|xlsx` writes for the same options.
func TestAgingDownloadIsTheCLIOutput(t *testing.T) {
	env := portfolioEnv(t)
	a := &app{environment: environment{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, env: env,
		clock: clock.Fixed(time.Date(2025, 9, 12, 10, 0, 0, 0, time.UTC))}}
	cfg, err := a.config()
	if err != nil {
		t.Fatal(err)
	}
	pool, err := a.openDB(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// default holds filiale, whose client only the holding's balance with
	// its subsidiaries shows.
	if _, err := pool.Exec(context.Background(), subsidiarySQL); err != nil {
		t.Fatal(err)
	}
	h, err := a.newDashboard(t.Context(), cfg, pool, slog.New(slog.NewTextHandler(io.Discard, nil)), func(*http.Request) string { return "t" })
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(web.WithPrincipal(r.Context(), web.Principal{Kind: web.KindUser, Name: "vera", Role: web.RoleViewer})))
	}))
	defer srv.Close()
	download := func(path string) string {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s %v", path, res.StatusCode, b, err)
		}
		return string(b)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		query string
		args  []string
	}{
		{"", nil},
		{"?as_of=2025-09-01&disputes=exclude", []string{"--as-of", "2025-09-01", "--exclude-disputed"}},
		{"?entity=all&profile=standard", []string{"--entity", "all", "--profile", "standard"}},
		{"?entity=default&subsidiaries=include", []string{"--entity", "default", "--subsidiaries"}},
	} {
		out, _, err := runCLI(t, env, append([]string{"aging", "--format", "csv"}, c.args...)...)
		if err != nil {
			t.Fatal(err)
		}
		if got := download("/aging.csv" + c.query); got != out {
			t.Errorf("/aging.csv%s:\n%s\nwant the CLI's:\n%s", c.query, got, out)
		}
		if wantS001 := strings.Contains(c.query, "subsidiaries"); c.query != "?entity=all&profile=standard" && strings.Contains(out, "S001") != wantS001 {
			t.Errorf("/aging.csv%s lists filiale's client S001: %t, want %t", c.query, !wantS001, wantS001)
		}
		file := filepath.Join(dir, "balance.xlsx")
		if _, _, err := runCLI(t, env, append([]string{"aging", "--format", "xlsx", "--output", file}, c.args...)...); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if got := download("/aging.xlsx" + c.query); got != string(want) {
			t.Errorf("/aging.xlsx%s differs from the CLI's workbook", c.query)
		}
	}
}
