package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/relance/relance/internal/pgtest"
)

// portfolioEnv returns the environment of a database holding the aging
// package's hand-computed portfolio (internal/aging/testdata/portfolio.sql).
func portfolioEnv(t *testing.T) []string {
	t.Helper()
	url := pgtest.URL(t)
	sql, err := os.ReadFile("../../internal/aging/testdata/portfolio.sql")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), string(sql)); err != nil {
		t.Fatal(err)
	}
	return []string{"DATABASE_URL=" + url}
}

func TestAgingCLIMatchesTheGoldenFiles(t *testing.T) {
	env := portfolioEnv(t)
	for _, c := range []struct {
		args   []string
		golden string
	}{
		// runCLI's clock is 2025-09-12 10:00 UTC, the portfolio's date.
		{[]string{"aging", "--format", "csv"}, "by_client.csv"},
		{[]string{"aging", "--as-of", "2025-09-12", "--by", "bucket", "--format", "csv"}, "by_bucket.csv"},
		{[]string{"aging", "--by", "invoice", "--format", "csv"}, "by_invoice.csv"},
		{[]string{"aging"}, "by_client_fr.txt"},
		{[]string{"aging", "--by", "bucket", "--format", "json"}, "by_bucket.json"},
	} {
		out, _, err := runCLI(t, env, c.args...)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		want, err := os.ReadFile(filepath.Join("../../internal/aging/testdata", c.golden+".golden"))
		if err != nil {
			t.Fatal(err)
		}
		if out != string(want) {
			t.Errorf("relance %s:\n%s\nwant (%s):\n%s", strings.Join(c.args, " "), out, c.golden, want)
		}
	}
	en := append(append([]string{}, env...), "RELANCE_LOCALE=en")
	out, _, err := runCLI(t, en, "aging", "--by", "invoice")
	if err != nil || !strings.Contains(out, "Open items as of 2025-09-12") || !strings.Contains(out, "2,000.00") {
		t.Errorf("English table: %v\n%s", err, out)
	}
}

func TestAgingCLIFiltersAndPastDates(t *testing.T) {
	env := portfolioEnv(t)
	out, _, err := runCLI(t, env, "aging", "--format", "csv", "--client", "C003", "--as-of", "2025-09-04")
	if err != nil {
		t.Fatal(err)
	}
	// 2025-09-04: G1 1,000.00 not due, G2 400.00 four days late, no payment yet.
	want := "client_id,client_name,not_due,d1_30,d31_60,d61_90,d91_120,d121_plus,overdue,unapplied,total,late_rate\n" +
		"C003,Gamma Ltd,1000.00,400.00,0.00,0.00,0.00,0.00,400.00,0.00,1400.00,28.57\n" +
		"TOTAL,,1000.00,400.00,0.00,0.00,0.00,0.00,400.00,0.00,1400.00,28.57\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if _, _, err := runCLI(t, env, "aging", "--client", "nobody"); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("unknown client: %v", err)
	}
	if _, _, err := runCLI(t, env, "aging", "--format", "pdf"); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("bad format: %v", err)
	}
	if _, _, err := runCLI(t, env, "aging", "--as-of", "12/09/2025"); err == nil || !strings.Contains(err.Error(), "--as-of") {
		t.Errorf("bad date: %v", err)
	}
	if _, _, err := runCLI(t, env, "aging", "--format", "xlsx"); err == nil || !strings.Contains(err.Error(), "--output") {
		t.Errorf("xlsx to stdout: %v", err)
	}
}

func TestAgingCLIWritesAWorkbook(t *testing.T) {
	env := portfolioEnv(t)
	path := filepath.Join(t.TempDir(), "balance.xlsx")
	if _, _, err := runCLI(t, env, "aging", "--format", "xlsx", "--output", path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	// Default locale fr: first sheet "Par client"; L2 is C001's total 3,300.00.
	raw, err := f.GetCellValue("Par client", "L2", excelize.Options{RawCellValue: true})
	if err != nil || raw != "3300" {
		t.Errorf("Par client!L2 = %q, %v; want the number 3300", raw, err)
	}
	if sheets := f.GetSheetList(); len(sheets) != 4 {
		t.Errorf("sheets = %v, want by client, by bucket, by invoice, chart", sheets)
	}
}
