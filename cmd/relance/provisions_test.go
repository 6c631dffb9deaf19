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

	"github.com/relance/relance/internal/letter/lettertest"
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

// TestInsolvencyMakesEveryInvoiceDoubtfulAndAClaimToDeclare: a proceeding
// opened on 2025-09-10 against a client whose invoice is 40 days old
// (issued 2025-08-01, due 2025-08-31, 10 days late) gives, on the next
// sweep, the 416 reclassification, a provision proposal at 100% that is
// tax-deductible, and a claim-declaration task for the amount worked out by
// hand: 6,000.00 + interest from 09-01 to 09-09 (9 days at 12.15%, ECB 2.15
// + 10 points) 6,000.00 × 12.15% × 9/365 = 17.975… = 17.98 + 40.00
// indemnity = 6,057.98. An invoice issued after the opening is payable as
// usual: neither doubtful nor declared.
func TestInsolvencyMakesEveryInvoiceDoubtfulAndAClaimToDeclare(t *testing.T) {
	dir := t.TempDir()
	env := []string{"DATABASE_URL=" + pgtest.URL(t), "USER=alice", "RELANCE_MAIL_DIR=" + dir}
	portfolio := filepath.Join(dir, "factures.csv")
	if err := os.WriteFile(portfolio, []byte(`numero_facture;code_client;raison_sociale;date_facture;date_echeance;montant_ttc;montant_ht;email
INS1;I;Imprimerie Lefèvre;01/08/2025;31/08/2025;6000,00;5000,00;compta@lefevre.example
INS2;I;Imprimerie Lefèvre;12/09/2025;12/10/2025;1200,00;1000,00;compta@lefevre.example
`), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, env, "entity", "set", "default", "--name", "Atelier Durand SAS", "--siren", "732 829 320", "--vat", "FR44732829320",
		"--address", "12 rue des Tanneurs", "--postcode", "69002", "--city", "Lyon")
	must(t, env, "import", "invoices", portfolio, "--as-of", "2025-09-15")
	must(t, env, "client", "set", "I", "--address", "3 rue Gutenberg", "--postcode", "38000", "--city", "Grenoble",
		"--siren", "552 100 554", "--as-of", "2025-09-15")
	must(t, env, "client", "insolvency", "I", "--kind", "redressement", "--opened", "2025-09-10", "--published", "2025-09-20",
		"--as-of", "2025-09-22")
	out := must(t, env, "sweep", "--as-of", "2025-09-22")
	wantOut(t, out, "provision proposals: 1", "journal entries: 2", "tasks: 1")

	out = must(t, env, "provisions", "journal", "--period", "2025-09")
	wantOut(t, out,
		"1,2025-09-22,OD,416,Clients douteux ou litigieux,I,Imprimerie Lefèvre,INS1,2025-08-01,Reclassement en créance douteuse INS1 Imprimerie Lefèvre (procédure collective),6000.00,0.00,EUR,",
		"1,2025-09-22,OD,411,Clients,I,Imprimerie Lefèvre,INS1,2025-08-01,Reclassement en créance douteuse INS1 Imprimerie Lefèvre (procédure collective),0.00,6000.00,EUR,",
		"2,2025-09-22,OD,6817,Dotations aux dépréciations des actifs circulants,,,INS1,2025-08-01,\"Dépréciation INS1 Imprimerie Lefèvre : 100,00\u00a0% de 5000,00 HT - déductible\",5000.00,0.00,EUR,yes",
		"2,2025-09-22,OD,491,Dépréciations des comptes de clients,,,INS1,2025-08-01,\"Dépréciation INS1 Imprimerie Lefèvre : 100,00\u00a0% de 5000,00 HT - déductible\",0.00,5000.00,EUR,yes")
	if strings.Contains(out, "INS2") || strings.Count(out, "\n") != 5 {
		t.Errorf("journal of September:\n%s", out)
	}
	out = must(t, env, "provisions", "--as-of", "2025-09-22", "--format", "csv")
	wantOut(t, out, "I,Imprimerie Lefèvre,INS1,2025-08-01,2025-08-31,22,d1_30,,insolvency,EUR,6000.00,5000.00,import,,100.00,5000.00,yes,2025-09-22")
	if strings.Contains(out, "INS2") {
		t.Errorf("the invoice issued after the opening is doubtful:\n%s", out)
	}

	// The claim declaration: due publication + 2 months, Thursday 20 November.
	out = plain(must(t, env, "tasks", "--as-of", "2025-09-22"))
	wantOut(t, out, "1  déclaration de créance  I  Imprimerie Lefèvre  20/11/2025  59",
		"à déclarer 6 057,98 € (principal 6 000,00 €, intérêts 17,98 €, indemnités 40,00 €) – redressement ouvert le 10/09/2025")
	out = plain(must(t, env, "claim", "I", "--as-of", "2025-09-22"))
	wantOut(t, out, "Imprimerie Lefèvre (I) : redressement ouvert le 10/09/2025, publié le 20/09/2025, à déclarer au plus tard le 20/11/2025 (règles FR)",
		"INS1  01/08/2025  31/08/2025  échue  6 000,00 €  17,98 €  40,00 €  6 057,98 €",
		"TOTAL À DÉCLARER  6 000,00 €  17,98 €  40,00 €  6 057,98 €")
	if strings.Contains(out, "INS2") {
		t.Errorf("the invoice issued after the opening is declared:\n%s", out)
	}

	// The declaration for the practitioner, read back as its reader sees it.
	pdf := filepath.Join(dir, "declaration-I.pdf")
	must(t, env, "claim", "I", "--as-of", "2025-09-22", "--output", pdf,
		"--practitioner", "SELARL Mandataires Associés|Me Jeanne Martin|8 quai Perrière|38000 Grenoble",
		"--signatory", "Paul Durand, directeur financier")
	raw, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	text := lettertest.Text(t, raw)
	flat := lettertest.Flat(text)
	for _, want := range []string{
		"Atelier Durand SAS", "12 rue des Tanneurs", "69002 Lyon", "SIREN 732 829 320", "TVA intracommunautaire FR44732829320",
		"SELARL Mandataires Associés", "Me Jeanne Martin", "38000 Grenoble", "Lyon, le 22 septembre 2025", "DÉCLARATION DE CRÉANCE",
		"Imprimerie Lefèvre – 3 rue Gutenberg – 38000 Grenoble – SIREN 552 100 554",
		"Redressement judiciaire, jugement d'ouverture du 10/09/2025, publié au BODACC le 20/09/2025 (délai de déclaration : 20/11/2025)",
		"au titre du redressement judiciaire ouvert à l'encontre de Imprimerie Lefèvre",
		"pénalités de retard courues jusqu'au 09/09/2025 inclus",
		"INS1 01/08/2025 31/08/2025 échue 6 000,00 € 17,98 € 40,00 € 6 057,98 €",
		"INS1 du 01/09/2025 au 09/09/2025 9 12,15 % 6 000,00 € 17,98 €",
		"MONTANT DÉCLARÉ 6 057,98 €", "certifions sincère et véritable", "Pour Atelier Durand SAS Paul Durand, directeur financier",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the declaration lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "INS2") {
		t.Errorf("the declaration claims the invoice issued after the opening:\n%s", text)
	}

	// Done, by whom: it leaves the list.
	out = must(t, env, "task", "done", "1", "--note", "déclaration envoyée en LRAR", "--as-of", "2025-10-01")
	wantOut(t, out, "tâche 1 (déclaration de créance, client I) faite le 01/10/2025 par cli:alice")
	if out := must(t, env, "tasks"); strings.Contains(out, "Imprimerie") {
		t.Errorf("a done task is still listed:\n%s", out)
	}
	wantOut(t, must(t, env, "tasks", "--all"), "01/10/2025  cli:alice")
	if _, _, err := runCLI(t, env, "task", "done", "1"); err == nil || !strings.Contains(err.Error(), "already done on 2025-10-01 by cli:alice") {
		t.Errorf("closing a task twice: %v", err)
	}
	wantOut(t, must(t, env, "client", "timeline", "I"), "cli:alice", "déclaration envoyée en LRAR")
}
