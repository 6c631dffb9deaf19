package main

import (
	"bytes"
	"context"
	"encoding/json"
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
		{[]string{"aging", "--by", "invoice", "--format", "json"}, "by_invoice.json"},
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

// The by-invoice view shows the next step of the client's plan from the
// invoice's reminder ledger: a dropped row is not history, min_gap counts from
// the last step sent, and the configured plan files are the ones used.
func TestAgingCLIShowsTheNextStep(t *testing.T) {
	url := pgtest.URL(t)
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// N1, due Friday 4 July 2025: level1 and level2 sent, level3 decided on
	// Wednesday 10 September and dropped at send time (the invoice was
	// disputed for a day, say).
	if _, err := conn.Exec(context.Background(), `
INSERT INTO client (id, entity_id, code, name, country, profile) OVERRIDING SYSTEM VALUE VALUES (1, 1, 'N001', 'Nu SARL', 'FR', 'slow');
INSERT INTO invoice (id, entity_id, client_id, number, kind, issue_date, due_date, currency, amount_incl_vat) OVERRIDING SYSTEM VALUE
VALUES (1, 1, 1, 'N1', 'invoice', '2025-06-04', '2025-07-04', 'EUR', 100000);
INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status) VALUES
(1, 1, 'standard', 'level1', 1, 'email', 'level1', '2025-07-07', 'sent'),
(1, 1, 'standard', 'level2', 2, 'email', 'level2', '2025-09-08', 'sent'),
(1, 1, 'standard', 'level3', 3, 'email', 'level3', '2025-09-10', 'dropped');`); err != nil {
		t.Fatal(err)
	}
	env := []string{"DATABASE_URL=" + url}
	line := func(env []string) string {
		t.Helper()
		out, _, err := runCLI(t, env, "aging", "--by", "invoice", "--format", "csv")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, ",N1,") {
				return l
			}
		}
		t.Fatalf("no N1 in\n%s", out)
		return ""
	}
	// The default plans have no profile "slow": the client gets standard
	// (min_gap 7d). level3 (+31d = 4 August) waits for level2 + 7 days:
	// Monday 15 September.
	if l := line(env); !strings.HasSuffix(l, ",level3 2025-09-15") {
		t.Errorf("default plans: %s, want next step level3 2025-09-15", l)
	}
	// A plan file with the client's profile "slow" (min_gap 14d): level2 +
	// 14 days is Monday 22 September.
	plan := filepath.Join(t.TempDir(), "slow.yaml")
	if err := os.WriteFile(plan, []byte(`version: 1
defaults: {min_gap: 7d, min_amount: "10.00", calendar: FR, send_window: "09:00-18:00"}
profiles:
  slow:
    min_gap: 14d
    steps:
      - {id: level1, at: +1d,  channel: email, template: level1}
      - {id: level2, at: +15d, channel: email, template: level2}
      - {id: level3, at: +31d, channel: email, template: level3, penalties: true}
assign:
  - {profile: slow}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if l := line(append(env, "RELANCE_PLANS_FILES="+plan)); !strings.HasSuffix(l, ",level3 2025-09-22") {
		t.Errorf("plan file: %s, want next step level3 2025-09-22", l)
	}
	// The table shows it too, in words and dates of its locale.
	out, _, err := runCLI(t, env, "aging", "--by", "invoice")
	if err != nil || !strings.Contains(out, "relance 3 15/09/2025") || !strings.Contains(out, " facture ") {
		t.Errorf("French table: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, append(env, "RELANCE_LOCALE=en"), "aging", "--by", "invoice")
	if err != nil || !strings.Contains(out, "level3 2025-09-15") {
		t.Errorf("English table: %v\n%s", err, out)
	}
}

// subsidiarySQL puts filiale under the default entity (id 1), with its one
// client S001 owing 2,500.00 since 2025-07-31.
const subsidiarySQL = `
INSERT INTO entity (code, name, parent_id) VALUES ('filiale', 'Filiale Sud SAS', 1);
INSERT INTO client (entity_id, code, name) SELECT id, 'S001', 'Sigma SARL' FROM entity WHERE code = 'filiale';
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, currency, amount_incl_vat)
SELECT c.entity_id, c.id, 'S1', '2025-07-01', '2025-07-31', 'EUR', 250000 FROM client c WHERE c.code = 'S001'`

// --entity all consolidates a group with a subtotal per entity, as does
// --subsidiaries for the holding, and
// --exclude-disputed takes A4 (500.00, in dispute) out of the buckets.
func TestAgingCLIGroupAndDisputes(t *testing.T) {
	env := portfolioEnv(t)
	conn, err := pgx.Connect(context.Background(), strings.TrimPrefix(env[0], "DATABASE_URL="))
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(context.Background(), subsidiarySQL)
	conn.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, env, "aging", "--entity", "all", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Currencies []struct {
			Currency  string
			Subtotals []struct{ Entity, Total string }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Currencies) != 2 || len(doc.Currencies[0].Subtotals) != 2 || doc.Currencies[0].Subtotals[1].Entity != "filiale" ||
		doc.Currencies[0].Subtotals[1].Total != "2500.00" {
		t.Errorf("--entity all: %+v", doc)
	}
	// default holds filiale: with its subsidiaries, the same two subtotals;
	// alone, none; every entity needs no --subsidiaries.
	withSubs, _, err := runCLI(t, env, "aging", "--entity", "default", "--subsidiaries", "--format", "json")
	if err != nil || withSubs != out {
		t.Errorf("--entity default --subsidiaries: %v\n%s\nwant --entity all's:\n%s", err, withSubs, out)
	}
	alone, _, err := runCLI(t, env, "aging", "--entity", "default", "--format", "json")
	if err != nil || strings.Contains(alone, "filiale") || strings.Contains(alone, "subtotals") {
		t.Errorf("--entity default: %v\n%s", err, alone)
	}
	kpiAll, _, err := runCLI(t, env, "kpi", "--entity", "all", "--as-of", "2025-09-12", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if kpiSubs, _, err := runCLI(t, env, "kpi", "--entity", "default", "--subsidiaries", "--as-of", "2025-09-12", "--format", "json"); err != nil || kpiSubs != kpiAll {
		t.Errorf("kpi --entity default --subsidiaries: %v\n%s\nwant --entity all's:\n%s", err, kpiSubs, kpiAll)
	}
	if kpiAlone, _, _ := runCLI(t, env, "kpi", "--entity", "default", "--as-of", "2025-09-12", "--format", "json"); kpiAlone == kpiAll {
		t.Errorf("kpi --entity default counts filiale's sales")
	}
	if _, _, err := runCLI(t, env, "aging", "--entity", "all", "--subsidiaries"); err == nil || !strings.Contains(err.Error(), "--subsidiaries takes one entity") {
		t.Errorf("--entity all --subsidiaries: %v", err)
	}
	out, _, err = runCLI(t, env, "aging", "--exclude-disputed", "--format", "json")
	if err != nil || !strings.Contains(out, `"disputes_excluded": true`) || !strings.Contains(out, `"total": "2800.00"`) {
		t.Errorf("--exclude-disputed: %v\n%s", err, out)
	}
	// The CSV contract does not change.
	out, _, err = runCLI(t, env, "aging", "--exclude-disputed", "--format", "csv", "--client", "C001")
	if err != nil || !strings.HasPrefix(out, "client_id,client_name,not_due,d1_30,d31_60,d61_90,d91_120,d121_plus,overdue,unapplied,total,late_rate\nC001,Alpha SARL,700.00,2500.00,0.00,") {
		t.Errorf("CSV: %v\n%s", err, out)
	}
}
