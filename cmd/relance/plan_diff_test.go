package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/backtest"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/preview"
	"github.com/relance/relance/plans"
)

// planFiles writes, in a temporary directory, the default plans with level 1
// at +7d (plus7.yaml) and a plan file with a bad offset on line 6, column 26
// (bad.yaml).
func planFiles(t *testing.T) (plus7, bad string) {
	t.Helper()
	dir := t.TempDir()
	plus7, bad = filepath.Join(dir, "plus7.yaml"), filepath.Join(dir, "bad.yaml")
	text := strings.Replace(string(plans.DefaultYAML), "{id: level1,    at: +1d,", "{id: level1,    at: +7d,", 1)
	if text == string(plans.DefaultYAML) {
		t.Fatal("the default plan's level 1 is no longer written as expected")
	}
	if err := os.WriteFile(plus7, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`version: 1
profiles:
  standard:
    steps:
      - {id: level1, at: +1d, channel: email, template: level1}
      - {id: level2, at: 15, channel: email, template: level2}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return plus7, bad
}

// oneInvoiceDB is a database with Alpha SARL owing A-1, 1,000.00 due
// Monday 8 September 2025, and no reminder yet.
func oneInvoiceDB(t *testing.T) []string {
	t.Helper()
	url := pgtest.URL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `
INSERT INTO client (entity_id, code, name, emails) VALUES (1, 'C1', 'Alpha SARL', '{compta@alpha.example}');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
SELECT 1, id, 'A-1', '2025-08-08', '2025-09-08', 100000 FROM client`); err != nil {
		t.Fatal(err)
	}
	return []string{"DATABASE_URL=" + url}
}

// TestPlanDiffCLI: A-1 gets its pre-due notice on Wednesday 03/09 under
// both plans, level 1 on Tuesday 09/09 under the default plans and on
// Monday 15/09 at +7d, level 2 on Tuesday 23/09 under both.
func TestPlanDiffCLI(t *testing.T) {
	env := oneInvoiceDB(t)
	plus7, bad := planFiles(t)
	out, _, err := runCLI(t, env, "plan", "diff", "current", plus7, "--from", "2025-09-01", "--to", "2025-09-30")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Comparaison de plans — entité default, du 01/09/2025 au 30/09/2025 (30 jours)\n",
		"  ancien plan  : current (plans/default.yaml)\n  nouveau plan : " + plus7 + "\n",
		"  septembre 2025  pré-relance                   1                    1      0                 0                  0      0\n",
		"Clients relancés différemment : 1 sur 1 relancés par l'un ou l'autre plan\n",
		"  C1      Alpha SARL             1\u202f000,00\u00a0€                3         relance 2                 3          relance 2     09/09/2025\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCLI(t, env, "plan", "diff", "current", plus7, "--from", "2025-09-01", "--to", "2025-09-30", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep backtest.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if d := rep.Total.FirstContact; rep.Old.Messages != 3 || rep.New.Messages != 3 || d.Old.Mean != 1 || d.New.Mean != 7 ||
		len(rep.Clients) != 1 || rep.Clients[0].FirstDifference != "2025-09-09" {
		t.Errorf("json: old %+v, new %+v, first contact %+v, clients %+v", rep.Old, rep.New, d, rep.Clients)
	}

	// The defaults: the 90 days up to yesterday (the CLI clock says Friday
	// 12 September 2025).
	out, _, err = runCLI(t, append(env, "RELANCE_LOCALE=en"), "plan", "diff", "current", "current")
	if err != nil || !strings.Contains(out, "entity default, 2025-06-14 to 2025-09-11 (90 days)") ||
		!strings.Contains(out, "Clients reminded differently: 0 of 1 reminded by either plan") {
		t.Errorf("plan diff current current: %v\n%s", err, out)
	}

	_, stderr, err := runCLI(t, env, "plan", "diff", "current", bad, "--from", "2025-09-01", "--to", "2025-09-30")
	var exit exitError
	if !errors.As(err, &exit) || exit.code != 2 || !strings.Contains(stderr, bad+":6:26: step level2: bad offset") {
		t.Errorf("a bad plan: %v, stderr %q; want exit 2 and the error at file:line:column", err, stderr)
	}
	for _, args := range [][]string{
		{"--from", "2025-09-30", "--to", "2025-09-01"},
		{"--from", "2024-01-01", "--to", "2025-09-01"},
		{"--format", "xml"},
		{"--entity", "nowhere"},
	} {
		if _, _, err := runCLI(t, env, append([]string{"plan", "diff", "current", plus7}, args...)...); err == nil {
			t.Errorf("plan diff %v accepted", args)
		}
	}
}

// TestPreviewWithAPlanFile: on Tuesday 09/09 the configured plans send A-1
// its level 1; the unsaved plan with level 1 at +7d sends nothing, and a
// plan file that does not validate stops the preview at its line and
// column.
func TestPreviewWithAPlanFile(t *testing.T) {
	env := oneInvoiceDB(t)
	plus7, bad := planFiles(t)
	messages := func(args ...string) int {
		t.Helper()
		out, _, err := runCLI(t, env, append([]string{"preview", "--as-of", "2025-09-09", "--format", "json"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var rep preview.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		return len(rep.Days[0].Messages)
	}
	if n := messages(); n != 1 {
		t.Errorf("configured plans: %d messages on 09/09, want level 1", n)
	}
	if n := messages("--plan", plus7); n != 0 {
		t.Errorf("--plan with level 1 at +7d: %d messages on 09/09, want none", n)
	}
	_, stderr, err := runCLI(t, env, "preview", "--as-of", "2025-09-09", "--plan", bad)
	var exit exitError
	if !errors.As(err, &exit) || exit.code != 2 || !strings.Contains(stderr, bad+":6:26: step level2: bad offset") {
		t.Errorf("a bad plan: %v, stderr %q; want exit 2 and the error at file:line:column", err, stderr)
	}
}
