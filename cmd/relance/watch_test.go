package main

import (
	"context"
	"errors"
	"flag"
	"mime"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/mail/smtptest"
	"github.com/relance/relance/internal/pgtest"
)

var update = flag.Bool("update", false, "rewrite cmd/relance/testdata/*.golden")

// watchPortfolio writes the files of the watch tests and imports the
// invoices: C1 at 95 % of its 1,000.00 credit limit, C2 whose SIREN the
// sample BODACC export names, C3 that will break a promise.
func watchPortfolio(t *testing.T, env []string) (dir string) {
	t.Helper()
	dir = t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	invoices := write("factures.csv", "numero_facture;code_client;client;date_facture;echeance;montant;email;encours_max;siren\n"+
		"F-1;C1;Boulangerie Martin;01/08/2025;31/08/2025;950,00;compta@martin.example;1000,00;\n"+
		"F-2;C2;Transports Giraud;01/08/2025;31/08/2025;500,00;compta@giraud.example;;362 275 869\n"+
		"F-3;C3;Menuiserie Roche;01/08/2025;31/08/2025;300,00;compta@roche.example;;\n")
	for _, args := range [][]string{
		{"import", "invoices", invoices, "--as-of", "2025-09-01", "--data-as-of", "2025-09-01 06:00"},
		{"promise", "F-3", "--date", "2025-09-05", "--as-of", "2025-09-01"},
	} {
		if out, errOut, err := runCLI(t, env, args...); err != nil {
			t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
		}
	}
	return dir
}

// TestDigestTellsALimitAPromiseAndAnInsolvency is the digest's done-when:
// a credit limit crossed by an import, a broken promise found by the
// daemon's sweep and a client the BODACC names each appear in the next
// digest, which the test's SMTP server receives from `relance serve`
// after the day's sweep, in French (golden-tested).
func TestDigestTellsALimitAPromiseAndAnInsolvency(t *testing.T) {
	srv := smtptest.Start(t)
	env := []string{"DATABASE_URL=" + pgtest.URL(t), "USER=alice", "RELANCE_SERVER_PASSWORD=secret",
		"RELANCE_MAIL_FROM=Compta Durand <compta@durand.example>", "RELANCE_MAIL_TRANSPORT=smtp",
		"RELANCE_MAIL_SMTP_HOST=" + srv.Host, "RELANCE_MAIL_SMTP_PORT=" + strconv.Itoa(srv.Port), "RELANCE_MAIL_SMTP_TLS=none",
		"RELANCE_DIGEST_TO=credit@durand.example,dg@durand.example"}
	dir := watchPortfolio(t, env)
	payments := filepath.Join(dir, "reglements.csv")
	if err := os.WriteFile(payments, []byte("numero_facture;date;montant\nF-1;11/09/2025;10,00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"import", "payments", payments, "--as-of", "2025-09-12"},
		{"import", "insolvencies", "../../internal/bodacc/testdata/annonces-commerciales.csv", "--as-of", "2025-09-12"},
	} {
		if out, errOut, err := runCLI(t, env, args...); err != nil {
			t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
		}
	}

	// serve sweeps 2025-09-12 at start (its clock: 12:00 in Paris), then
	// scans for alerts and sends the digest.
	d := startServe(t, env)
	var digest *smtptest.Message
	for range 600 {
		for _, m := range srv.Messages() {
			if m.Header.Get("X-Relance-Digest") != "" {
				digest = &m
			}
		}
		if digest != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if digest == nil {
		t.Fatalf("no digest received; serve said:\n%s", d.stderr.String())
	}
	if got := strings.Join(digest.To, ","); got != "credit@durand.example,dg@durand.example" {
		t.Errorf("digest to %s", got)
	}
	text, err := digest.Text()
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(digest.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	got := "Subject: " + subject + "\n\n" + strings.ReplaceAll(text, "\r\n", "\n")
	golden := filepath.Join("testdata", "digest_received.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("digest received:\n%s\nwant (%s):\n%s", got, golden, want)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}

	// The same alerts, by the CLI.
	out, _, err := runCLI(t, env, "alerts", "--kind", "credit_limit,insolvency", "--kind", "promise_broken")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Plafond d'encours", "C1 Boulangerie Martin : encours 950,00", "95 % du plafond", "(seuil 90 % franchi)",
		"Procédure collective", "C2 Transports Giraud : redressement judiciaire ouvert le 02/09/2025",
		"Promesse non tenue", "C3 Menuiserie Roche : promesse de paiement au 05/09/2025 non tenue (F-3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("relance alerts lacks %q:\n%s", want, out)
		}
	}
}

// `sweep --drain` does not send an entity's reminders while its payment
// data is older than sweep.max_data_age: it stops, says which data is how
// old and exits 1; --ignore-stale sends them, on the record. The preview
// says how old the data is.
func TestSweepDrainWaitsForFreshPaymentData(t *testing.T) {
	env := []string{"DATABASE_URL=" + pgtest.URL(t), "USER=alice", "RELANCE_MAIL_FROM=Compta <compta@durand.example>",
		"RELANCE_MAIL_DIR=" + t.TempDir()}
	dir := watchPortfolio(t, env)
	payments := filepath.Join(dir, "reglements.csv")
	if err := os.WriteFile(payments, []byte("numero_facture;date;montant\nF-1;10/09/2025;10,00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The bank's file of the 10th at 20:00, 40 hours before the clock's
	// 12:00 in Paris on the 12th.
	if out, errOut, err := runCLI(t, env, "import", "payments", payments, "--as-of", "2025-09-12", "--data-as-of", "2025-09-10 20:00"); err != nil {
		t.Fatalf("%v\n%s%s", err, out, errOut)
	}
	out, _, err := runCLI(t, env, "preview", "--as-of", "2025-09-12")
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(out, "\n"); !strings.Contains(first, "paiements au 10/09/2025 20:00 (il y a 40 h) — PLUS VIEUX QUE 36 h") {
		t.Errorf("preview's first line: %q", first)
	}

	out, _, err = runCLI(t, env, "sweep", "--as-of", "2025-09-12", "--drain")
	var exit exitError
	if !errors.As(err, &exit) || exit.code != 1 {
		t.Fatalf("sweep --drain on stale data: %v, want exit 1\n%s", err, out)
	}
	for _, want := range []string{"sent: 0,", "WAITING FOR FRESH PAYMENT DATA: 3 send jobs held",
		"entity default: payments as of 2025-09-10 20:00 CEST, 40 h old (sweep.max_data_age 36 h)", "--ignore-stale"} {
		if !strings.Contains(out, want) {
			t.Errorf("sweep --drain lacks %q:\n%s", want, out)
		}
	}

	out, _, err = runCLI(t, env, "sweep", "--as-of", "2025-09-12", "--drain", "--ignore-stale")
	if err != nil || !strings.Contains(out, "sent: 3,") || !strings.Contains(out, "sent although the payment data is stale") {
		t.Fatalf("sweep --drain --ignore-stale: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, env, "alerts", "--kind", "stale_data")
	if err != nil || !strings.Contains(out, "entité default : paiements au 10/09/2025 18:00 UTC, vieux de 40 h (maximum 36 h)") {
		t.Errorf("alerts --kind stale_data: %v\n%s", err, out)
	}
	pool := openPool(t, env)
	var actor string
	if err := pool.QueryRow(context.Background(), `SELECT actor FROM event WHERE kind = 'stale_data_ignored'`).Scan(&actor); err != nil || actor != "cli:alice" {
		t.Errorf("stale_data_ignored recorded by %q (%v), want cli:alice", actor, err)
	}
	if _, _, err := runCLI(t, env, "sweep", "--ignore-stale"); err == nil {
		t.Error("--ignore-stale without --drain was accepted")
	}
}

// `relance import insolvencies` flags the clients the BODACC names, raises
// an alert for each, and changes nothing when the same file comes again;
// the next sweep's provision review treats the opening as any recorded
// insolvency: a provision at the insolvency rate whatever the age, and the
// claim declaration with its amount.
func TestImportInsolvenciesTwice(t *testing.T) {
	env := []string{"DATABASE_URL=" + pgtest.URL(t), "USER=alice"}
	watchPortfolio(t, env)
	const file = "../../internal/bodacc/testdata/annonces-commerciales.json"
	out, _, err := runCLI(t, env, "import", "insolvencies", file, "--dry-run")
	if err != nil || !strings.Contains(out, "essai : rien n'est enregistré") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, env, "import", "insolvencies", file, "--as-of", "2025-09-16")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"annonces-commerciales.json : 8 annonces, 7 de procédures collectives, 5 jugements d'ouverture ; 1 clients concernés",
		"C2 TRANSPORTS GIRAUD (362 275 869) : redressement, ouverte le 02/09/2025, publiée le 12/09/2025, créance à déclarer avant le 12/11/2025 [enregistrée]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("first import lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCLI(t, env, "import", "insolvencies", file, "--as-of", "2025-09-17")
	if err != nil || !strings.Contains(out, "1 déjà enregistrés comme le dit le fichier") || strings.Contains(out, "[") {
		t.Errorf("the same file again: %v\n%s", err, out)
	}
	pool := openPool(t, env)
	var recorded, alerts int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE kind = 'insolvency_recorded' AND actor = 'import:bodacc'),
		count(*) FILTER (WHERE kind = 'alert_insolvency') FROM event`).Scan(&recorded, &alerts); err != nil || recorded != 1 || alerts != 1 {
		t.Errorf("%d insolvency_recorded by import:bodacc and %d alerts (%v), want 1 and 1", recorded, alerts, err)
	}
	out, _, err = runCLI(t, env, "client", "show", "C2")
	if err != nil || !strings.Contains(out, "redressement") {
		t.Errorf("client show C2: %v\n%s", err, out)
	}

	// The opening the BODACC gave triggers what any recorded insolvency
	// does at the next sweep: F-2 (16 days late, far from 121) becomes
	// doubtful and is provisioned at the insolvency rate, and the claim
	// declaration falls due two months after the publication.
	if out, errOut, err := runCLI(t, env, "sweep", "--as-of", "2025-09-16"); err != nil {
		t.Fatalf("sweep: %v\n%s%s", err, out, errOut)
	}
	// 500.00 incl. VAT at the default 20 % is 416.67 excl. VAT, × 100 %.
	out, _, err = runCLI(t, env, "provisions", "--as-of", "2025-09-16")
	if err != nil {
		t.Fatal(err)
	}
	wantPlain(t, out, "C2 Transports Giraud F-2 31/08/2025 16 1–30 j 500,00 € 416,67 € TVA 20,00 % 100,00 % 416,67 € procédure collective",
		"Total EUR : 1 provisions, 416,67 €")
	// Interest from 1 September to the eve of the opening (2 September):
	// 500.00 × 12.15 % × 1/365 = 0.17.
	out, _, err = runCLI(t, env, "tasks", "--all")
	if err != nil {
		t.Fatal(err)
	}
	wantPlain(t, out, "déclaration de créance C2 Transports Giraud 12/11/2025",
		"à déclarer 540,17 € (principal 500,00 €, intérêts 0,17 €, indemnités 40,00 €) – redressement ouvert le 02/09/2025")
	// Booked by the review: the 411 → 416 reclassification at 500.00 and
	// the provision, both for the insolvency.
	rows, err := pool.Query(context.Background(), `SELECT kind || ' ' || cause || ' ' || amount FROM journal_entry ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(entries, ", "); got != "reclassification insolvency 50000, provision insolvency 41667" {
		t.Errorf("journal entries: %s", got)
	}
}

// openPool opens the database of env's DATABASE_URL for the test.
func openPool(t *testing.T, env []string) *pgxpool.Pool {
	t.Helper()
	for _, kv := range env {
		if url, ok := strings.CutPrefix(kv, "DATABASE_URL="); ok {
			pool, err := database.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			return pool
		}
	}
	t.Fatal("no DATABASE_URL")
	return nil
}
