package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/provision"
)

// provisionPortfolio: three invoices of client A under the standard plan
// (provision step at +121 days, matrix 100% at 121+):
//   - PA1 12,000.00 incl. VAT, 10,000.00 excl. (imported), due 2025-07-15:
//     doubtful on 2025-11-13 (due + 121);
//   - PA2 2,400.00 incl. VAT, no amount excl. VAT (20% assumed: 2,000.00),
//     due 2025-06-10: doubtful on 2025-10-09, 1,200.00 paid on 2025-11-05;
//   - PA3 6,000.00 incl. VAT, 5,000.00 excl., due 2025-06-05: doubtful on
//     2025-10-04 (a Saturday; the first sweep after, 10-09, proposes it),
//     written off on 2025-11-20.
const provisionPortfolio = `numero_facture;code_client;raison_sociale;date_facture;date_echeance;montant_ttc;montant_ht;email
PA1;A;Alpha Négoce;15/06/2025;15/07/2025;12000,00;10000,00;compta@alpha.example
PA2;A;Alpha Négoce;10/05/2025;10/06/2025;2400,00;;compta@alpha.example
PA3;A;Alpha Négoce;05/05/2025;05/06/2025;6000,00;5000,00;compta@alpha.example
`

// TestProvisionJournalOfAMonth records a month with a provision, a reversal
// and a write-off through the CLI, and checks every line of the November
// journal against a table worked out by hand; the journal balances.
func TestProvisionJournalOfAMonth(t *testing.T) {
	dir := t.TempDir()
	env := []string{"DATABASE_URL=" + pgtest.URL(t), "USER=alice", "RELANCE_MAIL_DIR=" + dir}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	must(t, env, "entity", "set", "default", "--name", "Atelier Durand SAS", "--siren", "732 829 320")
	must(t, env, "import", "invoices", write("factures.csv", provisionPortfolio), "--as-of", "2025-10-01")
	must(t, env, "sweep", "--as-of", "2025-10-09")
	must(t, env, "import", "payments", write("reglements.csv", "numero_facture;date_paiement;montant\nPA2;05/11/2025;1200,00\n"), "--as-of", "2025-11-05")
	must(t, env, "sweep", "--as-of", "2025-11-05")
	must(t, env, "sweep", "--as-of", "2025-11-13")
	out := must(t, env, "writeoff", "PA3", "--as-of", "2025-11-20", "--reason", "liquidation clôturée pour insuffisance d'actif")
	wantOut(t, plain(out), "PA3 (client A) passée en perte le 20/11/2025 : 6 000,00 € TTC",
		"654 perte 5 000,00 €, 44571 TVA récupérée 1 000,00 €, 416 crédité de 6 000,00 €", "491 / 7817 reprise de la dépréciation : 5 000,00 €")

	// November, by hand (entry, day, account, aux, piece, debit, credit, deductible):
	//  1 11-05 PA2 paid 1,200.00: outstanding 1,200.00, excl. 1,000.00 at 20%,
	//          provision 1,000.00 instead of 2,000.00 → reversal 1,000.00
	//  2 11-13 PA1 doubtful: reclassified at 12,000.00 incl. VAT
	//  3 11-13 PA1 provision 100% × 10,000.00 = 10,000.00
	//  4 11-20 PA3 written off: its provision of 5,000.00 reversed
	//  5 11-20 PA3 written off: 6,000.00 unpaid, VAT 6,000 − 5,000 = 1,000.00
	want := [][]string{
		{"1", "2025-11-05", "491", "", "", "PA2", "1000.00", "0.00", "no"},
		{"1", "2025-11-05", "7817", "", "", "PA2", "0.00", "1000.00", "no"},
		{"2", "2025-11-13", "416", "A", "Alpha Négoce", "PA1", "12000.00", "0.00", ""},
		{"2", "2025-11-13", "411", "A", "Alpha Négoce", "PA1", "0.00", "12000.00", ""},
		{"3", "2025-11-13", "6817", "", "", "PA1", "10000.00", "0.00", "no"},
		{"3", "2025-11-13", "491", "", "", "PA1", "0.00", "10000.00", "no"},
		{"4", "2025-11-20", "491", "", "", "PA3", "5000.00", "0.00", "no"},
		{"4", "2025-11-20", "7817", "", "", "PA3", "0.00", "5000.00", "no"},
		{"5", "2025-11-20", "654", "", "", "PA3", "5000.00", "0.00", ""},
		{"5", "2025-11-20", "44571", "", "", "PA3", "1000.00", "0.00", ""},
		{"5", "2025-11-20", "416", "A", "Alpha Négoce", "PA3", "0.00", "6000.00", ""},
	}
	out, stderr, err := runCLI(t, env, "provisions", "journal", "--period", "2025-11")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], provision.JournalCSVHeader) {
		t.Errorf("header %v", rows[0])
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var got [][]string
	var debit, credit money.Amount
	for _, r := range rows[1:] {
		got = append(got, []string{r[col["entry"]], r[col["date"]], r[col["account"]], r[col["aux_account"]], r[col["aux_label"]],
			r[col["piece"]], r[col["debit"]], r[col["credit"]], r[col["tax_deductible"]]})
		if r[col["journal"]] != "OD" || r[col["currency"]] != "EUR" {
			t.Errorf("line %v: want journal OD in EUR", r)
		}
		debit += amount(t, r[col["debit"]])
		credit += amount(t, r[col["credit"]])
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), out)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("line %d: %v, want %v", i+1, got[i], want[i])
		}
	}
	if debit != credit || debit != 3400000 {
		t.Errorf("debits %d, credits %d, want both 34000.00", debit, credit)
	}
	wantOut(t, plain(stderr), "journal 2025-11 : 5 écritures, 11 lignes", "EUR : débit 34 000,00 €, crédit 34 000,00 €")
	labels := strings.Join(column(rows, col["label"]), "\n")
	for _, l := range []string{
		"Reprise de dépréciation PA2 Alpha Négoce (réglée) - non déductible",
		"Reclassement en créance douteuse PA1 Alpha Négoce",
		"Dépréciation PA1 Alpha Négoce : 100,00\u00a0% de 10000,00 HT - non déductible",
		"Reprise de dépréciation PA3 Alpha Négoce (passage en perte) - non déductible",
		"Perte sur créance irrécouvrable PA3 Alpha Négoce", "TVA récupérée sur créance irrécouvrable PA3 Alpha Négoce",
		"Passage en perte PA3 Alpha Négoce",
	} {
		if !strings.Contains(labels, l) {
			t.Errorf("labels lack %q:\n%s", l, labels)
		}
	}

	// October: PA2 and PA3 became doubtful on the sweep of 10-09.
	out = must(t, env, "provisions", "journal", "--period", "2025-10")
	wantOut(t, out, "1,2025-10-09,OD,416,Clients douteux ou litigieux,A,Alpha Négoce,PA2,2025-05-10,",
		",2400.00,0.00,EUR,", "6817,Dotations aux dépréciations des actifs circulants,,,PA2,2025-05-10,",
		",2000.00,0.00,EUR,no", ",PA3,2025-05-05,Reclassement en créance douteuse PA3 Alpha Négoce,6000.00,0.00,EUR,",
		",PA3,2025-05-05,\"Dépréciation PA3 Alpha Négoce : 100,00\u00a0% de 5000,00 HT - non déductible\",5000.00,0.00,EUR,no")

	// The provisions at the end of November: what is left of PA2, and PA1.
	out = must(t, env, "provisions", "--as-of", "2025-11-30", "--format", "csv")
	wantRows := []string{
		strings.Join(provision.ProposalsCSVHeader, ","),
		"A,Alpha Négoce,PA2,2025-05-10,2025-06-10,173,d121_plus,standard,age,EUR,1200.00,1000.00,default,20.00,100.00,1000.00,no,2025-10-09",
		"A,Alpha Négoce,PA1,2025-06-15,2025-07-15,138,d121_plus,standard,age,EUR,12000.00,10000.00,import,,100.00,10000.00,no,2025-11-13",
	}
	if got := strings.Split(strings.TrimSpace(out), "\n"); !slices.Equal(got, wantRows) {
		t.Errorf("provisions on 2025-11-30:\n%s\nwant\n%s", out, strings.Join(wantRows, "\n"))
	}
	out = plain(must(t, env, "provisions", "--as-of", "2025-11-30"))
	wantOut(t, out, "A  Alpha Négoce  PA2  10/06/2025  173  121 j et +  1 200,00 €  1 000,00 €  TVA 20,00 %  100,00 %  1 000,00 €  ancienneté  non  09/10/2025", "TVA 20,00 %", "Total EUR : 2 provisions, 11 000,00 € dont 0,00 € déductibles",
		"« TVA 20,00 % » : montant HT calculé au taux de TVA par défaut (provision.default_vat_rate)")
	must(t, env, "sweep", "--as-of", "2025-11-21") // nothing new to book: the write-off settled PA3
	if out := must(t, env, "provisions", "journal", "--period", "2025-11"); strings.Count(out, "\n") != len(want)+1 {
		t.Errorf("a sweep after the write-off booked more:\n%s", out)
	}

	// The FEC: 18 columns, ISO 8859-15, and our own importer reads it back.
	fec := filepath.Join(dir, "732829320FEC20251130.txt")
	must(t, env, "provisions", "journal", "--period", "2025-11", "--format", "fec", "--output", fec)
	raw, err := os.ReadFile(fec)
	if err != nil {
		t.Fatal(err)
	}
	text, err := charmap.ISO8859_15.NewDecoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(text), "\r\n"), "\r\n")
	if lines[0] != strings.Join(provision.FECColumns, "\t") || len(lines) != len(want)+1 {
		t.Fatalf("FEC:\n%s", text)
	}
	for _, l := range lines {
		if n := len(strings.Split(l, "\t")); n != 18 {
			t.Errorf("%d columns in %q", n, l)
		}
	}
	if want := "OD\tOpérations diverses\t202511-5\t20251120\t416\tClients douteux ou litigieux\tA\tAlpha Négoce\tPA3\t20250505\tPassage en perte PA3 Alpha Négoce\t0,00\t6000,00\t\t\t\t\t"; lines[len(lines)-1] != want {
		t.Errorf("last FEC line\n%q, want\n%q", lines[len(lines)-1], want)
	}
	if !bytes.Contains(raw, []byte("Op\xe9rations")) {
		t.Error("the FEC is not in ISO 8859-15")
	}
	// Read as receivables, the journal leaves one item on client A: the
	// write-off's credit on PA3 (each reclassification nets to nothing).
	out = must(t, env, "import", "invoices", fec, "--dry-run", "--as-of", "2025-11-30")
	wantOut(t, out, "(fec): 1 rows")
}

// plain makes the no-break spaces of French numbers plain spaces.
func plain(s string) string { return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s) }

func amount(t *testing.T, s string) money.Amount {
	t.Helper()
	a, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func column(rows [][]string, i int) []string {
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}
