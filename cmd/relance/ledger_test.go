package main

import (
	"context"
	"os/user"
	"strings"
	"testing"

	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/pgtest"
)

// ledgerEnv is a database with two clients and their invoices, as an import
// leaves them, and the environment of alice's shell.
func ledgerEnv(t *testing.T) []string {
	t.Helper()
	url := seededURL(t, `
		WITH c AS (INSERT INTO client (entity_id, code, name, emails) VALUES
			(1, 'C1', 'Boulangerie Martin', '{compta@martin.example}'), (1, 'C2', 'Garage Petit', '{}') RETURNING id, code)
		INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		SELECT 1, id, 'F-' || code || '-' || n, '2025-07-01', '2025-08-01', 150000 FROM c, generate_series(1, 2) n`)
	return []string{"DATABASE_URL=" + url, "USER=alice"}
}

// seededURL is a fresh database where sql has run.
func seededURL(t *testing.T, sql string) string {
	t.Helper()
	url := pgtest.URL(t)
	ctx := context.Background()
	pool, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
	return url
}

// must runs the CLI and fails the test on an error.
func must(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, stderr, err := runCLI(t, env, args...)
	if err != nil {
		t.Fatalf("relance %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
	}
	return out
}

func wantOut(t *testing.T, out string, parts ...string) {
	t.Helper()
	out = squeeze(out)
	for _, p := range parts {
		if !strings.Contains(out, p) {
			t.Errorf("output lacks %q:\n%s", p, out)
		}
	}
}

func TestEntityCommandsAndUnknownEntities(t *testing.T) {
	env := ledgerEnv(t)
	_, _, err := runCLI(t, append(env, "RELANCE_ENTITY=acme"), "client", "list")
	if err == nil || !strings.Contains(err.Error(), `entity "acme": not found (known: default`) {
		t.Fatalf("unknown entity: %v", err)
	}
	for _, args := range [][]string{{"aging"}, {"kpi"}, {"dispute", "list", "--entity", "acme"}} {
		if _, _, err := runCLI(t, env, append(args, "--entity", "acme")...); err == nil || !strings.Contains(err.Error(), "known: default") {
			t.Errorf("%v with an unknown entity: %v", args, err)
		}
	}
	out := must(t, append(env, "RELANCE_ENTITY=acme"), "entity", "add", "acme", "--name", "Acme Industrie SAS",
		"--siren", "732 829 320", "--vat", "FR44732829320", "--address", "12 rue des Tanneurs", "--postcode", "69002", "--city", "Lyon",
		"--iban", "FR76 3000 6000 0112 3456 7890 189", "--email", "compta@acme.example")
	wantOut(t, out, "entité créée", "Acme Industrie SAS", "732 829 320", "FR76 3000 6000 0112 3456 7890 189", "12 rue des Tanneurs, 69002 Lyon")
	// Now it exists: RELANCE_ENTITY=acme works (and has no clients yet).
	out = must(t, append(env, "RELANCE_ENTITY=acme"), "client", "list")
	if strings.Contains(out, "C1") {
		t.Errorf("acme lists default's clients:\n%s", out)
	}
	must(t, env, "entity", "set", "default", "--name", "Atelier Durand SAS", "--phone", "04 72 00 00 00")
	out = must(t, env, "entity", "list")
	wantOut(t, out, "acme", "Acme Industrie SAS", "default", "Atelier Durand SAS")
	if _, _, err := runCLI(t, env, "entity", "add", "bad", "--name", "X", "--siren", "123"); err == nil || !strings.Contains(err.Error(), "siren:") {
		t.Errorf("bad SIREN: %v", err)
	}
}

func TestClientCommandsRecordWhoAndWhen(t *testing.T) {
	env := ledgerEnv(t)
	out := must(t, env, "client", "set", "C2", "--country", "de", "--address", "Hauptstraße 5", "--postcode", "10115", "--city", "Berlin",
		"--email", "buchhaltung@petit.example; Frau Weber <weber@petit.example>", "--credit-limit", "50 000,00", "--locale", "en",
		"--profile", "key_account", "--as-of", "2025-09-01")
	wantOut(t, out, "DE", "Hauptstraße 5, 10115 Berlin, ALLEMAGNE", "buchhaltung@petit.example, weber@petit.example", "50\u202f000,00\u00a0€")
	if _, _, err := runCLI(t, env, "client", "set", "C2", "--profile", "vip"); err == nil || !strings.Contains(err.Error(), `no such plan profile (have standard, key_account, risky)`) {
		t.Errorf("unknown profile: %v", err)
	}
	must(t, env, "client", "pause", "C1", "--reason", "rachat en cours", "--until", "2025-09-30", "--as-of", "2025-09-05")
	out = must(t, env, "client", "list", "--state", "paused", "--as-of", "2025-09-10")
	if !strings.Contains(out, "C1") || strings.Contains(out, "C2") {
		t.Errorf("paused on 09-10:\n%s", out)
	}
	must(t, env, "client", "resume", "C1", "--reason", "accord", "--as-of", "2025-09-12")
	must(t, env, "client", "exclude", "C2", "--reason", "suivi par le commercial", "--as-of", "2025-09-15")
	out = must(t, env, "client", "show", "C2", "--as-of", "2025-09-16")
	wantOut(t, out, "exclu", "suivi par le commercial", "F-C2-1")
	must(t, env, "client", "include", "C2", "--reason", "retour", "--as-of", "2025-09-20")
	must(t, env, "client", "insolvency", "C1", "--kind", "redressement", "--opened", "2025-10-02", "--published", "2025-10-15", "--as-of", "2025-10-03")
	out = must(t, env, "client", "show", "C1", "--as-of", "2025-10-20")
	wantOut(t, out, "redressement, ouverte le 02/10/2025, publiée le 15/10/2025, déclaration de créance avant le 15/12/2025")
	if _, _, err := runCLI(t, env, "client", "clear-bounce", "C1"); err == nil || !strings.Contains(err.Error(), "not marked bouncing") {
		t.Errorf("clear-bounce of a working address: %v", err)
	}
	if _, _, err := runCLI(t, env, "client", "insolvency", "C1", "--kind", "faillite", "--opened", "2025-10-02"); err == nil ||
		!strings.Contains(err.Error(), "want sauvegarde, redressement or liquidation") {
		t.Errorf("bad kind: %v", err)
	}

	out = must(t, env, "client", "timeline", "C1")
	wantOut(t, out, "01/07/2025  facture émise", "05/09/2025  mise en pause", "cli:alice", "rachat en cours – jusqu'au 30/09/2025",
		"12/09/2025  reprise des relances", "03/10/2025  procédure collective", "redressement")
	out = must(t, append(env, "RELANCE_LOCALE=en"), "client", "timeline", "C2")
	wantOut(t, out, "2025-09-01  client details changed", "2025-09-15  excluded from dunning", "suivi par le commercial", "2025-09-20  included again")
}

func TestDisputeAndPromiseCommands(t *testing.T) {
	env := ledgerEnv(t)
	out := must(t, env, "dispute", "open", "F-C1-1", "--reason", "quality", "--note", "pièces rayées", "--as-of", "2025-09-05")
	wantOut(t, out, "litige ouvert sur F-C1-1 (1\u202f500,00\u00a0€, client C1) le 05/09/2025 : qualité")
	_, _, err := runCLI(t, env, "dispute", "open", "F-C1-2", "--reason", "colour")
	if err == nil || !strings.Contains(err.Error(), `ledger: open dispute on F-C1-2: reason "colour": want one of price, quantity, quality, delivery, billing, other`) {
		t.Errorf("bad reason: %v", err)
	}
	must(t, env, "dispute", "open", "F-C1-2", "--reason", "delivery", "--until", "2025-09-20", "--as-of", "2025-09-06")
	out = must(t, env, "dispute", "list", "--open", "--as-of", "2025-09-21")
	if !strings.Contains(out, "F-C1-1") || strings.Contains(out, "F-C1-2") {
		t.Errorf("open on 09-21 (F-C1-2 ended on 09-20):\n%s", out)
	}
	out = must(t, env, "dispute", "resolve", "F-C1-1", "--outcome", "avoir émis", "--as-of", "2025-09-25")
	wantOut(t, out, "litige sur F-C1-1 résolu le 25/09/2025")
	out = must(t, append(env, "RELANCE_LOCALE=en"), "dispute", "list")
	wantOut(t, out, "F-C1-1", "quality", "avoir émis", "cli:alice, cli:alice", "F-C1-2", "delivery", "2025-09-20")

	out = must(t, env, "promise", "C2", "--date", "2025-09-30", "--amount", "2000,00", "--note", "virement", "--as-of", "2025-09-10")
	wantOut(t, out, "promesse de C2 de payer 2\u202f000,00\u00a0€ au plus tard le 30/09/2025 (F-C2-1, F-C2-2) : relances suspendues jusqu'au 03/10/2025")
	_, _, err = runCLI(t, env, "promise", "F-C2-1", "--date", "2025-10-30", "--as-of", "2025-09-11")
	if err == nil || !strings.Contains(err.Error(), "F-C2-1 is already under a promise until 2025-10-03") {
		t.Errorf("second promise: %v", err)
	}
	out = must(t, env, "client", "timeline", "C2")
	wantOut(t, out, "10/09/2025  promesse de paiement  F-C2-1, F-C2-2  2\u202f000,00\u00a0€  cli:alice  virement – payer au plus tard le 30/09/2025")
	out = must(t, env, "promise", "list", "--status", "open")
	wantOut(t, out, "C2", "F-C2-1, F-C2-2", "10/09/2025", "30/09/2025", "03/10/2025", "2\u202f000,00\u00a0€", "en cours", "cli:alice", "virement")
	if out := must(t, append(env, "RELANCE_LOCALE=en"), "promise", "list", "--status", "kept", "--client", "C2"); strings.Contains(out, "F-C2-1") {
		t.Errorf("no promise is kept yet:\n%s", out)
	}
	if _, _, err := runCLI(t, env, "promise", "list", "--status", "tenue"); err == nil || !strings.Contains(err.Error(), "want open, kept, broken or cancelled") {
		t.Errorf("a status in French: %v", err)
	}
}

func TestRecordingCommandsHaveHelpWithExamples(t *testing.T) {
	root := newRootCmd(&app{})
	for _, group := range []string{"entity", "client", "dispute", "letter", "case", "promise"} {
		c, _, err := root.Find([]string{group})
		if err != nil {
			t.Fatal(err)
		}
		for _, sub := range c.Commands() {
			if sub.Example == "" {
				t.Errorf("relance %s %s: no example in --help", group, sub.Name())
			}
			if sub.Flags().Lookup("as-of") == nil && sub.Name() != "list" && sub.Name() != "timeline" && !(group == "entity" && sub.Name() == "show") {
				t.Errorf("relance %s %s records without --as-of", group, sub.Name())
			}
		}
	}
	c, _, _ := root.Find([]string{"promise"})
	if c.Example == "" || c.Flags().Lookup("as-of") == nil {
		t.Error("promise: example or --as-of missing")
	}
}

// Without USER, LOGNAME or USERNAME (a container, a service), what a
// command records is by the account the process runs as.
func TestActorIsTheAccountWithoutAUserVariable(t *testing.T) {
	u, err := user.Current()
	if err != nil || u.Username == "" {
		t.Skipf("no account name here: %v", err)
	}
	a := &app{environment: environment{env: []string{"HOME=/root"}}}
	if got := a.actor(); got != "cli:"+u.Username {
		t.Errorf("actor %q, want cli:%s", got, u.Username)
	}
	a.env = append(a.env, "LOGNAME=bob")
	if got := a.actor(); got != "cli:bob" {
		t.Errorf("actor %q with LOGNAME=bob", got)
	}
}
