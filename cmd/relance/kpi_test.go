package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/pgtest"
)

func TestKPICLIPrintsAndStoresScores(t *testing.T) {
	url := pgtest.URL(t)
	sql, err := os.ReadFile("../../internal/aging/testdata/kpi.sql")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, string(sql)); err != nil {
		t.Fatal(err)
	}
	env := []string{"DATABASE_URL=" + url}
	out, _, err := runCLI(t, env, "kpi", "--as-of", "2025-03-31", "--months", "3", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../internal/aging/testdata/kpi.json.golden")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("kpi json:\n%s\nwant:\n%s", out, want)
	}
	var score string
	if err := conn.QueryRow(ctx, `SELECT payer_score FROM client WHERE code = 'K1'`).Scan(&score); err != nil || score != "D" {
		t.Errorf("K1 payer score = %q, %v; want D stored", score, err)
	}
	out, _, err = runCLI(t, append(env, "RELANCE_LOCALE=en"), "kpi", "--as-of", "2025-03-31", "--months", "3")
	if err != nil || !strings.Contains(out, "49.67 days") || !strings.Contains(out, "60.00%") {
		t.Errorf("kpi table: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, env, "kpi", "--months", "0"); err == nil {
		t.Error("--months 0 accepted")
	}
}
