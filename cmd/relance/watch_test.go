package main

import (
	"flag"
	"mime"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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
