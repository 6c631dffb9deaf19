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

	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/preview"
	"github.com/relance/relance/plans"
)

func TestPlanCheckDefault(t *testing.T) {
	out, _, err := runCLI(t, nil, "plan", "check")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "ok: 3 profile(s)") || !strings.Contains(out, "key_account: 8 steps (5 on the ladder), min_gap 14d") {
		t.Errorf("output:\n%s", out)
	}
}

func TestPlanCheckReportsEveryErrorWithItsLine(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	indent := filepath.Join(dir, "indent.yaml")
	os.WriteFile(good, plans.DefaultYAML, 0o600)
	os.WriteFile(bad, []byte(`version: 1
profiles:
  standard:
    steps:
      - {id: level1, at: +1d, channel: email, template: level1}
      - {id: level2, at: 15, channel: email, template: level2}
      - {id: level3, at: +31d, chanel: email, template: level3}
`), 0o600)
	os.WriteFile(indent, []byte("version: 1\nprofiles:\n  standard:\n    steps:\n      - id: level1\n        at: +1d\n       channel: email\n"), 0o600)

	_, stderr, err := runCLI(t, nil, "plan", "check", good, bad, indent)
	var exit exitError
	if !errors.As(err, &exit) || exit.code != 2 {
		t.Fatalf("err = %v, want exit status 2", err)
	}
	for _, want := range []string{
		bad + `:6:26: step level2: bad offset`,
		bad + `:7:32: step: unknown key`,
		bad + `:7:9: step: want a channel and a template`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, indent) {
		t.Errorf("only the first bad file is reported:\n%s", stderr)
	}

	_, stderr, err = runCLI(t, nil, "plan", "check", indent)
	if !errors.As(err, &exit) || exit.code != 2 || !strings.Contains(stderr, indent+":7:") {
		t.Errorf("wrong indentation: err %v, stderr %q", err, stderr)
	}
}

type fakeTemplates map[string]bool

func (f fakeTemplates) Has(name, locale string) bool { return f[name+"/"+locale] }

func TestPlanCheckMissingTemplate(t *testing.T) {
	// templateChecker(cfg) has no templates to give until package templates
	// lands, so the reporting path is driven with a fake checker.
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	have := fakeTemplates{}
	for _, n := range []string{"pre_due", "level1", "level2", "level3", "level4", "formal_notice"} {
		have[n+"/fr"], have[n+"/en"] = true, true
	}
	delete(have, "formal_notice/en")
	errs := set.CheckTemplates(have, planLocales)
	var stderr strings.Builder
	a := &app{environment: environment{stderr: &stderr}}
	err = reportTemplateErrors(a, errs)
	var exit exitError
	if !errors.As(err, &exit) || exit.code != 2 {
		t.Fatalf("err = %v, want exit 2", err)
	}
	// formal_notice is used by the three profiles, lines 22, 35 and 46.
	for _, line := range []string{":22:74:", ":35:75:", ":46:74:"} {
		if !strings.Contains(stderr.String(), plans.DefaultFile+line) {
			t.Errorf("missing %s in\n%s", line, stderr.String())
		}
	}
	if n := strings.Count(stderr.String(), "no template for locale en"); n != 3 {
		t.Errorf("%d errors, want 3:\n%s", n, stderr.String())
	}
}

func TestPreviewCLI(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `
INSERT INTO client (entity_id, code, name, emails) VALUES (1, 'C1', 'Alpha SARL', '{compta@alpha.example}');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
SELECT 1, id, 'A-1', '2025-06-14', '2025-07-14', 1200000 FROM client;
INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status)
SELECT id, client_id, 'standard', 'level2', 2, 'email', 'level2', '2025-07-29', 'sent' FROM invoice`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"DATABASE_URL=" + url}
	// The CLI clock says 12 September 2025.
	out, _, err := runCLI(t, append(env, "RELANCE_LOCALE=en"), "preview", "--days", "2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"2025-09-12 (Friday)\n  C1 Alpha SARL — email, template level3 (profile standard), 1 invoice(s), €12,000.00\n",
		"A-1            due 2025-07-14   60 d      €12,000.00  level3  penalties €239.67 + indemnity €40.00\n",
		"2025-09-13 (Saturday)\n  nothing\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// French by default, with French words, numbers and dates.
	out, _, err = runCLI(t, env, "preview")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"vendredi 12/09/2025\n  C1 Alpha SARL — courriel, relance 3 (profil standard), 1 facture(s), 12\u202f000,00\u00a0€\n",
		"A-1            échéance 14/07/2025   60 j     12\u202f000,00\u00a0€  relance 3  pénalités 239,67\u00a0€ + indemnité 40,00\u00a0€\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCLI(t, env, "preview", "--as-of", "2025-09-12", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep preview.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(rep.Days) != 1 || len(rep.Days[0].Messages) != 1 || rep.Days[0].Messages[0].Invoices[0].Interest != 23967 {
		t.Errorf("json report = %+v", rep)
	}
	if _, _, err := runCLI(t, env, "preview", "--format", "xml"); err == nil {
		t.Error("--format xml accepted")
	}
}

// TestContractualRateBelowTheFloorIsAConfigurationError (issue 10, defect 8):
// a contractual rate under 3 × the legal interest rate used to be accepted,
// then every level 3+ send failed as a temporary error and was retried
// without end. plan check and the engine's start now refuse it, naming the
// floor and the half-year. With penalties.rule_set empty (the default: each
// client's country) the French floor binds, since any client may be French;
// a rule set fixed to one without a floor (DE) takes the rate.
func TestContractualRateBelowTheFloorIsAConfigurationError(t *testing.T) {
	const want = "statutory floor of 15.21% (3 × the legal interest rate of 5.07%) in the half-year from 2024-01-01"
	env := []string{"RELANCE_PENALTIES_CONTRACTUAL_RATE=12%"}
	_, stderr, err := runCLI(t, env, "plan", "check")
	var exit exitError
	if !errors.As(err, &exit) || exit.code != 2 || !strings.Contains(stderr, "penalties.contractual_rate") || !strings.Contains(stderr, want) {
		t.Errorf("plan check: %v, stderr %q; want exit 2 naming the key, the floor and the half-year", err, stderr)
	}
	env = append(env, "DATABASE_URL="+pgtest.URL(t), "RELANCE_MAIL_FROM=compta@durand.example", "RELANCE_MAIL_DIR="+t.TempDir())
	if _, _, err := runCLI(t, env, "sweep", "--as-of", "2025-09-12", "--drain"); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("sweep --drain: %v, want a refusal at start naming the floor", err)
	}
	if _, _, err := runCLI(t, []string{"RELANCE_PENALTIES_CONTRACTUAL_RATE=16%"}, "plan", "check"); err != nil {
		t.Errorf("plan check with 16%%, above every floor: %v", err)
	}
	if _, _, err := runCLI(t, []string{"RELANCE_PENALTIES_CONTRACTUAL_RATE=12%", "RELANCE_PENALTIES_RULE_SET=DE"}, "plan", "check"); err != nil {
		t.Errorf("plan check with 12%% under DE, which has no floor: %v", err)
	}
}
