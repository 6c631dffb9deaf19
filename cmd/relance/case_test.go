package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/letter/lettertest"
	"github.com/relance/relance/internal/pgtest"
)

// The case portfolio: D owes three invoices and goes to court, E pays part
// of its one late invoice amicably.
const casePortfolio = `numero_facture;code_client;raison_sociale;date_facture;date_echeance;montant_ttc;email
F-D1;D;Dupuis SARL;02/06/2025;02/07/2025;1500,00;compta@dupuis.example
F-D2;D;Dupuis SARL;01/07/2025;31/07/2025;900,00;compta@dupuis.example
F-D3;D;Dupuis SARL;01/09/2025;30/09/2025;300,00;compta@dupuis.example
F-E1;E;Étienne SAS;01/07/2025;01/08/2025;1000,00;compta@etienne.example
`

// TestCaseThroughEveryStageShowsInTheKPIs is the "done when": the
// ladder runs to the formal notice through real sweeps, a case opens once
// the notice's deadline has passed, goes through every stage with its
// costs, recovers through imported payments and closes; the KPIs show the
// recoveries split amicable/legal and the cost of recovery, worked out by
// hand below; the timeline shows every action and the case file reads back,
// with the formal notice's posting recorded from the outbox.
func TestCaseThroughEveryStageShowsInTheKPIs(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	dir := t.TempDir()
	env := []string{"DATABASE_URL=" + url, "USER=alice", "RELANCE_MAIL_DIR=" + dir,
		"RELANCE_MAIL_FROM=Compta Durand <compta@durand.example>", "RELANCE_LETTERS_COST=7,65",
		// Payments are imported on the days they come, not every day: the
		// freshness guard is another test's business.
		"RELANCE_SWEEP_MAX_DATA_AGE=0"}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	at := func(day string, args ...string) string {
		t.Helper()
		d, err := clock.ParseDate(day)
		if err != nil {
			t.Fatal(err)
		}
		out, err := runCLIAt(t, d, env, append(args, "--as-of", day)...)
		if err != nil {
			t.Fatalf("%s: relance %s: %v\n%s", day, strings.Join(args, " "), err, out)
		}
		return out
	}
	fails := func(day, want string, args ...string) {
		t.Helper()
		d, _ := clock.ParseDate(day)
		out, err := runCLIAt(t, d, env, append(args, "--as-of", day)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: relance %s: %v\n%s\nwant an error saying %q", day, strings.Join(args, " "), err, out, want)
		}
	}

	at("2025-09-01", "entity", "set", "default", "--name", "Atelier Durand SAS", "--address", "12 rue des Tanneurs",
		"--postcode", "69002", "--city", "Lyon", "--siren", "732 829 320")
	at("2025-09-01", "import", "invoices", write("portefeuille.csv", casePortfolio))
	at("2025-09-01", "client", "set", "D", "--address", "4 avenue Jean Jaurès", "--postcode", "38000", "--city", "Grenoble")
	at("2025-09-01", "client", "set", "E", "--address", "9 rue Lesdiguières", "--postcode", "38000", "--city", "Grenoble")
	// Already late on 09-01: level 1, then one level a week; F-D1's level 5
	// (due+61 = 09-01 passed) goes on 09-29, a registered letter.
	for _, day := range []string{"2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22", "2025-09-29"} {
		if day == "2025-09-15" {
			at(day, "import", "payments", write("reglements-1.csv",
				"numero_facture;date_paiement;montant;reference\nF-D2;10/09/2025;400,00;VIR DUPUIS\nF-E1;12/09/2025;600,00;VIR ETIENNE\n"))
		}
		at(day, "sweep", "--drain")
	}
	if _, err := os.Stat(filepath.Join(dir, "letters", "2025-09-29", "D-level5.pdf")); err != nil {
		t.Fatalf("D's formal notice: %v", err)
	}
	// Posted the next day from the outbox: the case file will show it.
	list, err := runCLIAt(t, clock.Date(2025, 9, 30), env, "letter", "list", "--unposted")
	if err != nil {
		t.Fatal(err)
	}
	wantPlain(t, list, "D-level5.pdf")
	at("2025-09-30", "letter", "posted", "1", "--tracking", "1A 123 456 7890 1")

	// The notice of 09-29 gives until 10-07 (letters.deadline_days 8).
	fails("2025-10-07", "the formal notice of 2025-09-29 gives until 2025-10-07 to pay: a case opens from 2025-10-08",
		"case", "open", "D", "--procedure", "injonction_de_payer")
	fails("2025-10-08", "F-E1: an invoice of client E, not D", "case", "open", "D", "F-E1", "--procedure", "injonction_de_payer")
	out := at("2025-10-08", "case", "open", "D", "--procedure", "injonction_de_payer", "--handler", "Me Lambert",
		"--reason", "mise en demeure du 29/09 restée sans effet")
	// Claimed: F-D1 1,500.00 + F-D2 500.00 (900 − 400) + F-D3 300.00.
	wantPlain(t, out, "dossier 1 ouvert le 08/10/2025 pour D (Dupuis SARL) : injonction de payer, 2 300,00 € réclamés (F-D1, F-D2, F-D3)")
	fails("2025-10-09", "F-D1: already in case 1 since 2025-10-08", "case", "open", "D", "F-D1", "--procedure", "agency")

	at("2025-10-10", "case", "stage", "1", "filed", "--ref", "RG 25/04567")
	at("2025-10-10", "case", "cost", "1", "--kind", "fees", "--amount", "35,00", "--reason", "greffe")
	at("2025-10-15", "sweep", "--drain") // E's formal notice (due+61 = 10-01); nothing for D
	at("2025-10-24", "case", "stage", "1", "granted")
	out = at("2025-11-03", "case", "stage", "1", "served", "--on", "2025-10-31")
	// 10-31 + 1 month = 11-30, a Sunday: the deadline runs through Monday 12-01.
	wantPlain(t, out, "dossier 1 : signification au débiteur le 31/10/2025 ; délai d'opposition jusqu'au 01/12/2025 inclus")
	at("2025-11-03", "case", "cost", "1", "--kind", "bailiff", "--amount", "89,50", "--on", "2025-10-31", "--reason", "signification")
	at("2025-11-03", "sweep", "--drain") // F-D1's provision (due+121 = 10-31) fires in court; no message
	fails("2025-12-01", "the opposition deadline runs through 2025-12-01: enforceable from 2025-12-02", "case", "stage", "1", "enforceable")
	at("2025-12-02", "case", "stage", "1", "enforceable", "--reason", "formule exécutoire apposée")
	at("2025-12-12", "import", "payments", write("reglements-2.csv",
		"numero_facture;date_paiement;montant;reference\nF-D1;10/12/2025;1500,00;CJ LAMBERT\nF-D2;12/12/2025;500,00;CJ LAMBERT\nF-D3;12/12/2025;300,00;CJ LAMBERT\n"))
	out = at("2025-12-15", "case", "close", "1", "--outcome", "recovered", "--on", "2025-12-12", "--reason", "payé après signification")
	wantPlain(t, out, "dossier 1 clos le 12/12/2025 (recouvré) : 2 300,00 € recouvrés sur 2 300,00 € réclamés, 124,50 € de frais")

	// While the case was open, D got no message: only F-D1's provision.
	pool, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rows, err := pool.Query(ctx, `SELECT r.step_id || ' ' || i.number FROM reminder r JOIN invoice i ON i.id = r.invoice_id
		JOIN client c ON c.id = r.client_id WHERE c.code = 'D' AND r.due_on >= '2025-10-08' ORDER BY r.due_on, i.number`)
	if err != nil {
		t.Fatal(err)
	}
	after, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(after, ", ") != "provision F-D1" {
		t.Errorf("D's ledger while in court: %v, want the provision of F-D1 alone", after)
	}

	out = at("2025-12-15", "case", "show", "1")
	wantPlain(t, out, "Dossier 1 – injonction de payer – client D (Dupuis SARL)", "référence : RG 25/04567", "mandataire : Me Lambert",
		"saisine (requête ou assignation) 10/10/2025", "titre obtenu (ordonnance ou jugement) 24/10/2025",
		"signification au débiteur 31/10/2025", "fin du délai d'opposition 01/12/2025", "titre exécutoire 02/12/2025",
		"clôture 12/12/2025 (recouvré, cli:alice)", "F-D2 31/07/2025 500,00 € 500,00 € 0,00 €", "Total 2 300,00 € 2 300,00 € 0,00 €",
		"commissaire de justice 31/10/2025 89,50 € signification cli:alice", "Total des frais 124,50 €")
	out = at("2025-12-15", "case", "list")
	wantPlain(t, out, "1 D injonction de payer 08/10/2025 clôture (recouvré) F-D1, F-D2, F-D3 2 300,00 € 2 300,00 € 124,50 € RG 25/04567")

	out, err = runCLIAt(t, clock.Date(2025, 12, 15), env, "client", "timeline", "D")
	if err != nil {
		t.Fatal(err)
	}
	wantPlain(t, out,
		"08/10/2025 dossier contentieux ouvert F-D1, F-D2, F-D3 2 300,00 € cli:alice dossier 1 – injonction de payer – mise en demeure du 29/09 restée sans effet",
		"10/10/2025 contentieux : saisine F-D1, F-D2, F-D3 cli:alice dossier 1 – le 10/10/2025 – RG 25/04567",
		"10/10/2025 frais de contentieux 35,00 € cli:alice dossier 1 – frais de justice et d'avocat – greffe",
		"03/11/2025 contentieux : signification F-D1, F-D2, F-D3 cli:alice dossier 1 – le 31/10/2025 – opposition jusqu'au 01/12/2025",
		"02/12/2025 contentieux : titre exécutoire", "formule exécutoire apposée",
		"15/12/2025 dossier contentieux clos F-D1, F-D2, F-D3 2 300,00 € cli:alice dossier 1 – recouvré – le 12/12/2025 – payé après signification")

	// The KPIs over July–December 2025, by hand:
	//   due: F-D1 1,500 + F-D2 900 + F-D3 300 + F-E1 1,000 = 3,700.00 (all
	//        fall due in the window, nothing was settled before it);
	//   collected: F-D2 400 + F-E1 600 + F-D1 1,500 + F-D2 500 + F-D3 300
	//        = 3,300.00 → 3,300 ÷ 3,700 = 89.19 %;
	//   amicable: F-D2 400 (09-10) + F-E1 600 (09-12) = 1,000.00 → 30.30 %;
	//   legal: 1,500 (12-10) + 500 + 300 (12-12, the closing day) =
	//        2,300.00 → 69.70 %;
	//   costs: fees 35.00 + bailiff 89.50 + two registered letters (D on
	//        09-29, E on 10-15) × 7.65 = 139.80 → 139.80 ÷ 3,300 = 4.24 %.
	out = at("2025-12-31", "kpi", "--months", "6", "--format", "json")
	var k struct {
		Currencies []struct {
			Recovery map[string]any `json:"recovery"`
		} `json:"currencies"`
	}
	if err := json.Unmarshal([]byte(out), &k); err != nil || len(k.Currencies) != 1 {
		t.Fatalf("kpi json: %v\n%s", err, out)
	}
	want := map[string]any{"due": "3700.00", "collected": "3300.00", "rate": "89.19", "amicable": "1000.00", "legal": "2300.00",
		"amicable_share": "30.30", "legal_share": "69.70", "case_costs": "124.50", "letters": 2.0, "letter_costs": "15.30", "cost_rate": "4.24"}
	for key, w := range want {
		if got := k.Currencies[0].Recovery[key]; got != w {
			t.Errorf("kpi recovery %s = %v, want %v", key, got, w)
		}
	}
	out = at("2025-12-31", "kpi", "--months", "6")
	wantPlain(t, out, "Taux de recouvrement (encaissé ÷ exigible) 89,19 % (3 300,00 encaissés sur 3 700,00 exigibles)",
		"Recouvré en phase amiable / contentieuse 30,30 % / 69,70 % (1 000,00 / 2 300,00)",
		"Coût du recouvrement (frais ÷ recouvré) 4,24 % (frais de contentieux 124,50 + 2 lettre(s) recommandée(s) 15,30, pour 3 300,00 recouvrés)")

	// The case file as of the close: what a lawyer reads.
	pdf := filepath.Join(dir, "dossier-1.pdf")
	wantPlain(t, at("2025-12-12", "case", "file", "1", "--output", pdf), "dossier 1 écrit dans "+pdf)
	data, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	text := lettertest.Flat(lettertest.Text(t, data))
	for _, w := range []string{"DOSSIER DE RECOUVREMENT CONTENTIEUX", "Dossier n° 1 – injonction de payer", "Atelier Durand SAS",
		"Dupuis SARL", "4 avenue Jean Jaurès", "Référence : RG 25/04567", "fin du délai d'opposition (signification + 1 mois) 01/12/2025",
		"01/09/2025 relance n° 1 e-mail F-D1, F-D2", "29/09/2025 mise en demeure lettre recommandée AR F-D1",
		"29/09/2025 mise en demeure F-D1 déposée le 30/09/2025", "n° 1A12345678901", "31/10/2025 commissaire de justice signification 89,50 €",
		"Recouvré pendant la procédure 2 300,00 €"} {
		if !strings.Contains(text, w) {
			t.Errorf("case file lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("case file:\n%s", lettertest.Text(t, data))
	}
}

// TestCaseCommandsRefuseClearly: the errors a person meets name what is
// wrong and where.
func TestCaseCommandsRefuseClearly(t *testing.T) {
	env := ledgerEnv(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"case", "open", "C1"}, `required flag(s) "procedure" not set`},
		{[]string{"case", "open", "C1", "--procedure", "duel"}, `procedure "duel": want one of injonction_de_payer`},
		{[]string{"case", "open", "C1", "F-C2-1", "--procedure", "agency"}, "F-C2-1: an invoice of client C2, not C1"},
		{[]string{"case", "open", "C1", "--procedure", "agency"}, "no formal notice (registered letter) went out for these invoices"},
		{[]string{"case", "stage", "x", "filed"}, `case "x": want its number`},
		{[]string{"case", "stage", "9", "filed"}, "ledger: record filed on case 9: case not found in entity default"},
		{[]string{"case", "cost", "9", "--kind", "fees", "--amount", "beaucoup"}, "--amount"},
		{[]string{"case", "close", "9"}, `required flag(s) "outcome" not set`},
		{[]string{"case", "file", "9"}, `required flag(s) "output" not set`},
	} {
		_, _, err := runCLI(t, env, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("relance %s: %v, want %q", strings.Join(tt.args, " "), err, tt.want)
		}
	}
	out := must(t, env, "case", "open", "C1", "--procedure", "agency", "--without-notice", "--handler", "Recouvra SAS")
	wantPlain(t, out, "dossier 1 ouvert le 12/09/2025 pour C1 (Boulangerie Martin) : agence de recouvrement, 3 000,00 € réclamés (F-C1-1, F-C1-2)")
	out = must(t, append(env, "RELANCE_LOCALE=en"), "case", "show", "1")
	wantPlain(t, out, "Case 1 – collection agency – client C1 (Boulangerie Martin)", "handled by: Recouvra SAS",
		"opened without a formal notice past its deadline", "opposition deadline", "Total €3,000.00 €0.00 €3,000.00")
}

var blankRun = regexp.MustCompile(`[ \t]+`)

// squeezed is plain (no-break spaces folded) with runs of blanks made one
// space, so that aligned columns and French amounts read as
// "1 500,00 € cli:alice".
func squeezed(s string) string {
	return blankRun.ReplaceAllString(plain(s), " ")
}

// wantPlain fails unless out, made plain, holds each part.
func wantPlain(t *testing.T, out string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(squeezed(out), p) {
			t.Errorf("output lacks %q:\n%s", p, squeezed(out))
		}
	}
}
