package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/pgtest"
)

const frenchCSV = "../../internal/importer/testdata/factures_fr_cp1252.csv"

func countRows(t *testing.T, url, query string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportInvoicesCLI(t *testing.T) {
	url := pgtest.URL(t)
	env := []string{"DATABASE_URL=" + url, "USER=bob"}

	out, _, err := runCLI(t, env, "import", "invoices", frenchCSV, "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "dry run, nothing written: "+frenchCSV+" (csv): 6 rows, 6 created, 0 updated, 0 closed") {
		t.Errorf("dry run printed %q", out)
	}
	if n := countRows(t, url, "SELECT count(*) FROM invoice"); n != 0 {
		t.Errorf("dry run wrote %d invoices", n)
	}

	out, errOut, err := runCLI(t, env, "import", "invoices", frenchCSV)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "imported "+frenchCSV+" (csv): 6 rows, 6 created, 0 updated, 0 closed") {
		t.Errorf("import printed %q", out)
	}
	if !strings.Contains(errOut, "warning: "+frenchCSV+":1: ignored unknown columns: Remarque") {
		t.Errorf("stderr = %q, want the unknown column warning", errOut)
	}
	// The import date comes from the clock (2025-09-12 in runCLI).
	if n := countRows(t, url, "SELECT count(*) FROM allocation WHERE source = 'import' AND applied_on = '2025-09-12'"); n != 2 {
		t.Errorf("%d import allocations dated 2025-09-12, want 2", n)
	}
	out, _, err = runCLI(t, env, "import", "invoices", frenchCSV, "--snapshot", "--as-of", "2025-09-30")
	if err != nil || !strings.Contains(out, "6 rows, 0 created, 0 updated, 0 closed") {
		t.Errorf("re-import printed %q (%v)", out, err)
	}
	// One event a file, by who imported it, none for the dry run.
	if n := countRows(t, url, "SELECT count(*) FROM event WHERE kind = 'invoices_batch' AND actor = 'cli:bob'"); n != 2 {
		t.Errorf("%d invoices_batch events by cli:bob, want 2", n)
	}
	if n := countRows(t, url, "SELECT count(*) FROM event"); n != 2 {
		t.Errorf("%d events for two imports of 6 rows, want 2", n)
	}

	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("facture;client;date;montant\nX1;Dupont;31/02/2025;10,00\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = runCLI(t, env, "import", "invoices", bad)
	var exit exitError
	if err == nil || !asExit(err, &exit) || exit.code != 1 {
		t.Fatalf("err = %v, want exit status 1", err)
	}
	if !strings.Contains(errOut, bad+`:2: issue_date: invalid date "31/02/2025": no day 31 in that month`) {
		t.Errorf("stderr = %q", errOut)
	}
}

func asExit(err error, target *exitError) bool {
	e, ok := err.(exitError)
	if ok {
		*target = e
	}
	return ok
}

func TestImportPaymentsCLI(t *testing.T) {
	url := pgtest.URL(t)
	env := []string{"DATABASE_URL=" + url}
	if _, _, err := runCLI(t, env, "import", "invoices", frenchCSV); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "payments.csv")
	if err := os.WriteFile(path, []byte("invoice_number,date,amount,reference\nF2025-003,2025-04-10,500.00,VIR1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, env, "import", "payments", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "1 rows, 1 created") || !strings.Contains(out, "unallocated (unapplied credits): 20.00") {
		t.Errorf("payments printed %q", out)
	}
	out, _, err = runCLI(t, env, "import", "payments", path)
	if err != nil || !strings.Contains(out, "1 rows, 0 created") {
		t.Errorf("second payments import printed %q (%v)", out, err)
	}
	if n := countRows(t, url, "SELECT count(*) FROM invoice WHERE number = 'F2025-003' AND outstanding = 0 AND closed_on = '2025-04-10'"); n != 1 {
		t.Error("F2025-003 not settled by the payment")
	}
}

// An empty snapshot is refused with what it would close, then goes through
// with --force; import.snapshot_max_close sets the share (issue 10, 7).
func TestImportSnapshotGuardCLI(t *testing.T) {
	url := pgtest.URL(t)
	env := []string{"DATABASE_URL=" + url}
	if _, _, err := runCLI(t, env, "import", "invoices", frenchCSV); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "header_only.csv")
	if err := os.WriteFile(empty, []byte("invoice_number;client_id;issue_date;amount\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCLI(t, env, "import", "invoices", empty, "--snapshot")
	if err == nil || !strings.Contains(err.Error(), "a --snapshot with no rows would close all 5 open items; nothing imported") {
		t.Fatalf("err = %v, want the empty snapshot refused", err)
	}
	if n := countRows(t, url, "SELECT count(*) FROM invoice WHERE outstanding <> 0"); n != 5 {
		t.Errorf("%d open items after a refused snapshot, want 5", n)
	}
	_, _, err = runCLI(t, append(env, "RELANCE_IMPORT_SNAPSHOT_MAX_CLOSE=0%"), "import", "invoices", frenchCSV, "--snapshot")
	if err == nil || !strings.Contains(err.Error(), "import.snapshot_max_close") {
		t.Errorf("err = %v, want 0%% refused as a configuration error", err)
	}
	out, _, err := runCLI(t, env, "import", "invoices", empty, "--snapshot", "--force")
	if err != nil || !strings.Contains(out, "0 rows, 0 created, 0 updated, 5 closed") {
		t.Errorf("--force printed %q (%v)", out, err)
	}
}

// A value refused in a file is refused by `client set` with the same words:
// both ask the ledger (ledger.ClientPatch), and the import only frames the
// words with file:line: column.
func TestImportAndClientSetRefuseWithTheSameWords(t *testing.T) {
	env := ledgerEnv(t)
	dir := t.TempDir()
	for _, tc := range []struct{ column, flag, value string }{
		{"siren", "--siren", "732829321"},
		{"siret", "--siret", "73282932000075"},
		{"vat_number", "--vat", "FR45732829320"},
		{"country", "--country", "Atlantide"},
		{"email", "--email", "a@x.fr; pas une adresse"},
		{"cc", "--cc", "chef@x.fr\nBcc: evil@y.com"},
		{"phone", "--phone", "compta@x.fr"},
		{"locale", "--locale", "klingon!"},
		{"credit_limit", "--credit-limit", "-5,00"},
		{"client_name", "--name", strings.Repeat("é", 10_001)},
	} {
		t.Run(tc.column, func(t *testing.T) {
			path := filepath.Join(dir, tc.column+".csv")
			csv := "invoice_number;client_id;issue_date;amount;" + tc.column + "\nF-C1-9;C1;15/07/2025;100,00;\"" + tc.value + "\"\n"
			if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
				t.Fatal(err)
			}
			_, errOut, err := runCLI(t, env, "import", "invoices", path)
			prefix := path + ":2: " + tc.column + ": "
			i := strings.Index(errOut, prefix)
			if err == nil || i < 0 {
				t.Fatalf("import: %v\n%s", err, errOut)
			}
			reason, _, _ := strings.Cut(errOut[i+len(prefix):], "\n")
			_, _, err = runCLI(t, env, "client", "set", "C1", tc.flag+"="+tc.value)
			if err == nil || !strings.Contains(err.Error(), ": "+reason) {
				t.Errorf("the file says %q;\nclient set says %v", reason, err)
			}
		})
	}
	if n := countRows(t, env[0][len("DATABASE_URL="):], `SELECT count(*) FROM event`); n != 0 {
		t.Errorf("%d events recorded by refused writes", n)
	}
}
