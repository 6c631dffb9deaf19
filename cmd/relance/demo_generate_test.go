package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/portfolio"
)

func TestDemoGenerateWritesTheFrenchCSV(t *testing.T) {
	out, _, err := runCLI(t, nil, "demo", "generate", "--clients", "12", "--invoices", "60", "--seed", "4", "--as-of", "2025-09-12")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "numero_facture;code_client;raison_sociale;date_facture;date_echeance;delai_paiement;montant_ttc;montant_ht;montant_regle;devise;type;facture_origine;email;langue;profil" {
		t.Fatalf("header %q", lines[0])
	}
	if len(lines) != 61 {
		t.Fatalf("%d lines, want the header and 60 rows", len(lines))
	}
	var want bytes.Buffer
	p := portfolio.Generate(portfolio.Options{Clients: 12, Invoices: 60, Seed: 4, AsOf: clock.Date(2025, 9, 12)})
	if err := p.WriteInvoicesCSV(&want); err != nil {
		t.Fatal(err)
	}
	if out != want.String() {
		t.Error("the CLI wrote something else than the package for the same options")
	}
}

func TestDemoGenerateToFilesDefaultsToToday(t *testing.T) {
	dir := t.TempDir()
	invoices, payments := filepath.Join(dir, "portefeuille.csv"), filepath.Join(dir, "paiements.csv")
	// No --as-of: runCLI's clock says 2025-09-12, so this is the same portfolio as with it.
	out, _, err := runCLI(t, nil, "demo", "generate", "--clients", "30", "--invoices", "300", "--seed", "8",
		"--out", invoices, "--payments", payments)
	if err != nil {
		t.Fatal(err)
	}
	if out != "" {
		t.Errorf("printed %q with --out", out)
	}
	got, err := os.ReadFile(invoices)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	p := portfolio.Generate(portfolio.Options{Clients: 30, Invoices: 300, Seed: 8, AsOf: clock.Date(2025, 9, 12)})
	if err := p.WriteInvoicesCSV(&want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Error("--out without --as-of is not the portfolio as of the clock's today")
	}
	pay, err := os.ReadFile(payments)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(pay), "numero_facture;date_paiement;montant;reference\n") || strings.Count(string(pay), "\n") < 2 {
		t.Errorf("payments file:\n%s", pay)
	}
}

func TestDemoGenerateRejectsBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--clients", "0"}, "--clients"},
		{[]string{"--invoices", "-1"}, "--invoices"},
		{[]string{"--as-of", "12/09/2025"}, "--as-of"},
		{[]string{"--out", filepath.Join(t.TempDir(), "missing", "x.csv")}, "x.csv"},
		{[]string{"--out", filepath.Join(dir, "left.csv"), "--payments", filepath.Join(dir, "missing", "p.csv")}, "p.csv"},
	} {
		_, _, err := runCLI(t, nil, append([]string{"demo", "generate"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to mention %s", tc.args, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "left.csv")); !os.IsNotExist(err) {
		t.Errorf("a failed run left its invoices file behind (stat: %v)", err)
	}
}

func TestDemoGenerateHelpHasAnExample(t *testing.T) {
	out, _, err := runCLI(t, nil, "demo", "generate", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--seed", "relance demo generate --clients", "45 FDM"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}
