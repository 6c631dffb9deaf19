package main

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/letter/lettertest"
	"github.com/relance/relance/internal/mail/smtptest"
	"github.com/relance/relance/internal/pgtest"
)

// runCLIAt runs relance in-process with its clock at 10:00 (Paris) on day.
func runCLIAt(t *testing.T, day time.Time, env []string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	paris, _ := time.LoadLocation("Europe/Paris")
	err := run(context.Background(), args, environment{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, env: env,
		clock: clock.Fixed(time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, paris)),
	})
	if err != nil {
		return out.String() + errOut.String(), err
	}
	return out.String(), nil
}

// The portfolio, as an ERP exports it. Default plan "standard": pre-due at
// −5 days (moved back to the previous business day), level 1 at +1, 2 at
// +15, 3 at +31 (penalties), 4 at +45, 5 at +61 (registered letter),
// provision at +121; 7 days at least between ladder steps.
const acceptancePortfolio = `numero_facture;code_client;raison_sociale;date_facture;date_echeance;montant_ttc;email;langue
FA-A1;A;Boulangerie Martin;16/08/2025;15/09/2025;1200,00;compta@martin.example;fr
FA-B1;B;Garage Petit;01/09/2025;01/10/2025;3000,00;compta@petit.example;fr
FA-B2;B;Garage Petit;01/09/2025;01/10/2025;800,00;compta@petit.example;fr
FA-C1;C;Fromagerie Dubois;23/08/2025;22/09/2025;2000,00;compta@dubois.example;fr
FA-P1;P;Plomberie Roux;20/08/2025;19/09/2025;1500,00;compta@roux.example;fr
FA-I1;I;Imprimerie Lefèvre;25/07/2025;25/08/2025;5000,00;compta@lefevre.example;fr
FA-G1;G;Weber Maschinenbau GmbH;03/08/2025;02/09/2025;4000,00;buchhaltung@weber.example;en
FA-G2;G;Weber Maschinenbau GmbH;29/08/2025;10/11/2025;2500,00;buchhaltung@weber.example;en
`

// TestLadder150DaysRecordedThroughTheCLI runs 150 days (2025-09-01 to
// 2026-01-28) of `relance sweep --as-of D --drain` against a real Postgres
// and a real SMTP server, with everything that happens in the real world
// recorded through the CLI on the day it happens: the creditor's identity, a
// German client, a dispute resolved midway, a promise kept, a promise
// broken, an insolvency, payments. Every message is checked against the
// lists of ladder.check, worked out by hand.
func TestLadder150DaysRecordedThroughTheCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("150 in-process sweeps")
	}
	l := newLadder(t)
	portfolio := l.write("portefeuille.csv", acceptancePortfolio)
	paidA := l.write("reglement-a.csv", "numero_facture;date_paiement;montant;reference\nFA-A1;08/10/2025;1200,00;VIR MARTIN\n")
	paidC := l.write("reglement-c.csv", "numero_facture;date_paiement;montant;reference\nFA-C1;09/10/2025;2000,00;VIR DUBOIS\n")

	// What people record, by day, before that day's sweep.
	recorded := map[string][][]string{
		"2025-09-01": {
			acceptanceEntity,
			{"import", "invoices", portfolio},
			{"client", "set", "G", "--country", "DE", "--address", "Hauptstraße 5", "--postcode", "10115", "--city", "Berlin",
				"--contact", "Frau Weber", "--vat", "DE123456789"},
			{"client", "set", "B", "--address", "4 avenue Jean Jaurès", "--postcode", "38000", "--city", "Grenoble"},
			{"client", "set", "P", "--address", "9 rue du Port", "--postcode", "13002", "--city", "Marseille"},
		},
		"2025-09-26": {{"promise", "P", "--date", "2025-10-03", "--note", "virement promis au téléphone"}},
		"2025-09-29": {{"promise", "FA-C1", "--date", "2025-10-10"}},
		"2025-10-05": {{"dispute", "open", "FA-B1", "--reason", "quality", "--note", "pièces rayées"}},
		"2025-10-06": {{"client", "insolvency", "I", "--kind", "redressement", "--opened", "2025-10-02", "--published", "2025-10-15"}},
		"2025-10-08": {{"import", "payments", paidA}},
		"2025-10-09": {{"import", "payments", paidC}},
		"2025-11-20": {{"dispute", "resolve", "FA-B1", "--outcome", "avoir AV-12 émis"}},
	}
	summaries := l.run(func(day time.Time, key string) {
		for _, args := range recorded[key] {
			l.cli(day, append(args, "--as-of", key)...)
		}
	})
	l.check(summaries, "cli:tester")
}

// acceptanceEntity is the creditor's identity, set through the CLI in both
// ladders (the API does not set entities).
var acceptanceEntity = []string{"entity", "set", "default", "--name", "Atelier Durand SAS", "--siren", "732 829 320", "--vat", "FR44732829320",
	"--address", "12 rue des Tanneurs", "--postcode", "69002", "--city", "Lyon",
	"--iban", "FR76 3000 6000 0112 3456 7890 189", "--bic", "BNPAFRPP", "--email", "compta@durand.example"}

// ladder is a 150-day run against a real Postgres and a real SMTP server,
// in a directory of its own (mail, letters, the files imported).
type ladder struct {
	t   *testing.T
	url string
	srv *smtptest.Server
	dir string
	env []string
}

func newLadder(t *testing.T) *ladder {
	l := &ladder{t: t, url: pgtest.URL(t), srv: smtptest.Start(t), dir: t.TempDir()}
	l.env = []string{"DATABASE_URL=" + l.url, "USER=tester", "RELANCE_MAIL_TRANSPORT=smtp", "RELANCE_MAIL_SMTP_HOST=" + l.srv.Host,
		"RELANCE_MAIL_SMTP_PORT=" + strconv.Itoa(l.srv.Port), "RELANCE_MAIL_SMTP_TLS=none", "RELANCE_MAIL_DIR=" + l.dir,
		"RELANCE_MAIL_FROM=Compta Durand <compta@durand.example>",
		// Payments are recorded on the days they happen, not every day:
		// the freshness guard is another test's business.
		"RELANCE_SWEEP_MAX_DATA_AGE=0"}
	return l
}

// write puts a file in the ladder's directory and returns its path.
func (l *ladder) write(name, content string) string {
	p := filepath.Join(l.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		l.t.Fatal(err)
	}
	return p
}

// cli runs relance on day and fails the test if it fails.
func (l *ladder) cli(day time.Time, args ...string) string {
	l.t.Helper()
	out, err := runCLIAt(l.t, day, l.env, args...)
	if err != nil {
		l.t.Fatalf("%s: relance %s: %v\n%s", day.Format(time.DateOnly), strings.Join(args, " "), err, out)
	}
	return out
}

// run sweeps 150 days from 2025-09-01, calling record before each day's
// sweep, and returns each day's sweep summary.
func (l *ladder) run(record func(day time.Time, key string)) map[string]string {
	start := clock.Date(2025, 9, 1)
	summaries := map[string]string{}
	for n := range 150 {
		day := start.AddDate(0, 0, n)
		key := day.Format(time.DateOnly)
		record(day, key)
		summaries[key] = l.cli(day, "sweep", "--as-of", key, "--drain")
	}
	return summaries
}

// check checks what the 150 days sent and recorded, whichever way the real
// world was recorded; actor is who recorded it.
func (l *ladder) check(summaries map[string]string, actor string) {
	t := l.t
	t.Helper()
	// The emails, worked out by hand ("day client step"; FR holidays 11-01,
	// 11-11, 12-25, 01-01; DE holidays 10-03, 12-25, 12-26, 01-01):
	want := []string{
		// G (German, en): FA-G1 due Tue 09-02, first seen 09-01, inside its pre-due window (prev_bd(08-28) … 09-02).
		"2025-09-01 G pre_due",
		// I: FA-I1 due 08-25, first seen 09-01, already late: level 1 at once, then one level a week at most.
		"2025-09-01 I level1",
		"2025-09-03 G level1",  // FA-G1 due+1
		"2025-09-09 I level2",  // due+15 = 09-09, 8 days after level 1
		"2025-09-10 A pre_due", // FA-A1 due Mon 09-15, −5 = Wed 09-10
		"2025-09-12 P pre_due", // FA-P1 due Fri 09-19, −5 = Sun 09-14, moved back to Fri 09-12
		"2025-09-16 A level1",
		"2025-09-17 C pre_due", // FA-C1 due Mon 09-22
		"2025-09-17 G level2",  // FA-G1 due+15
		"2025-09-22 P level1",  // due+1 = Sat 09-20 → Mon 09-22
		"2025-09-23 C level1",  // then C promises on 09-29 to pay by 10-10, pays on 10-09: kept, nothing more
		"2025-09-25 I level3",  // due+31; then the insolvency (opened 10-02) freezes it: no level 4 on 10-09
		"2025-09-26 B pre_due", // FA-B1 and FA-B2 due Wed 10-01, one message for both
		"2025-09-30 A level2",  // then A pays on 10-08, before level 3 (10-16): nothing more
		"2025-10-02 B level1",  // both; FA-B1 is disputed from 10-05
		// FA-G1 level 3: due+31 = Fri 10-03, Tag der Deutschen Einheit → Mon 10-06 (a French client would get it on 10-03).
		"2025-10-06 G level3",
		// P promised on 09-26 to pay by 10-03: held through 10-06 (3 days of grace), so level 2
		// (due+15 = Sat 10-04 → Mon 10-06) waits; broken on 10-07, dunning resumes where it stopped.
		"2025-10-07 P level2",
		"2025-10-16 B level2",  // FA-B2 alone, due+15
		"2025-10-17 G level4",  // FA-G1 due+45
		"2025-10-20 P level3",  // due+31
		"2025-11-03 B level3",  // FA-B2: due+31 = Sat 11-01 (also a holiday) → Mon 11-03
		"2025-11-03 G level5",  // each formal notice (letters below) also goes by email, its PDF attached
		"2025-11-03 P level4",  // due+45
		"2025-11-05 G pre_due", // FA-G2 due Mon 11-10
		"2025-11-11 G level1",  // FA-G2 due+1 = 11-11: Armistice in France, a working day in Germany
		"2025-11-17 B level4",  // FA-B2 due+45 = Sat 11-15 → Mon 11-17
		"2025-11-19 P level5",
		"2025-11-20 B level2", // FA-B1: the dispute resolved that day, its ladder resumes at level 2
		"2025-11-25 G level2", // FA-G2 due+15
		"2025-11-27 B level3", // FA-B1 7 days later (its offsets passed long ago)
		"2025-12-01 B level5",
		"2025-12-04 B level4", // FA-B1
		"2025-12-11 B level5",
		"2025-12-11 G level3", // FA-G2 due+31
		// FA-G2 level 4: due+45 = Thu 12-25; 12-25 and 12-26 are German holidays → Mon 12-29
		// (a French client would get it on Fri 12-26).
		"2025-12-29 G level4",
		"2026-01-12 G level5",
	}
	got := acceptanceEmails(t, l.srv)
	var keys []string
	for _, m := range got {
		keys = append(keys, m.String())
	}
	sort.Strings(keys)
	if !slices.Equal(keys, want) {
		t.Errorf("emails:\n%s\nwant:\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
	}

	// Registered letters (level 5 = due+61, or later for min_gap):
	wantLetters := []string{
		"2025-11-03/G-level5.pdf", // FA-G1: due+61 = Sun 11-02 → Mon 11-03
		"2025-11-19/P-level5.pdf", // FA-P1: due+61 = Wed 11-19
		"2025-12-01/B-level5.pdf", // FA-B2: due+61 = Mon 12-01
		"2025-12-11/B-level5.pdf", // FA-B1: 7 days after its level 4
		"2026-01-12/G-level5.pdf", // FA-G2: due+61 = Sat 01-10 → Mon 01-12
	}
	var letters []string
	_ = filepath.WalkDir(filepath.Join(l.dir, "letters"), func(p string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() && filepath.Ext(p) == ".pdf" {
			rel, _ := filepath.Rel(filepath.Join(l.dir, "letters"), p)
			letters = append(letters, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(letters)
	if !slices.Equal(letters, wantLetters) {
		t.Errorf("letters %v, want %v", letters, wantLetters)
	}

	checkAcceptanceMessages(t, got)
	checkAcceptanceLetter(t, filepath.Join(l.dir, "letters", "2025-11-03", "G-level5.pdf"))
	checkAcceptanceLedger(t, context.Background(), l.url, summaries)
	checkAcceptanceTimelines(t, l.env, actor)

	// Replays send nothing again and decide the same.
	before := len(l.srv.Messages())
	for _, key := range []string{"2025-10-06", "2025-10-07", "2025-11-20"} {
		day, _ := clock.ParseDate(key)
		out, err := runCLIAt(t, day, l.env, "sweep", "--as-of", key, "--drain")
		if err != nil || !strings.Contains(out, "messages enqueued: 0") || firstLine(out) != firstLine(summaries[key]) {
			t.Errorf("replay of %s: %v\n%s\nthe day itself:\n%s", key, err, out, summaries[key])
		}
	}
	if n := len(l.srv.Messages()) - before; n != 0 {
		t.Errorf("replays sent %d messages", n)
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// acceptanceEmail is one email the SMTP server accepted.
type acceptanceEmail struct {
	day, client, step, text string
}

func (m acceptanceEmail) String() string { return m.day + " " + m.client + " " + m.step }

func acceptanceEmails(t *testing.T, srv *smtptest.Server) []acceptanceEmail {
	t.Helper()
	var out []acceptanceEmail
	for _, m := range srv.Messages() {
		msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, acceptanceEmail{day: msg.Header.Get("X-Relance-Day"), client: msg.Header.Get("X-Relance-Client"),
			step: msg.Header.Get("X-Relance-Step"), text: plainText(t, msg)})
	}
	return out
}

// plainText is the decoded text/plain part of a message.
func plainText(t *testing.T, msg *netmail.Message) string {
	t.Helper()
	var walk func(ct, enc string, body io.Reader) string
	walk = func(ct, enc string, body io.Reader) string {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					return ""
				}
				if s := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); s != "" {
					return s
				}
			}
		}
		if mt != "text/plain" {
			return ""
		}
		if strings.EqualFold(enc, "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, _ := io.ReadAll(body)
		return string(b)
	}
	return walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

// checkAcceptanceMessages checks what the messages say: the invoices each
// lists, the creditor's identity, and the penalties under each client's law.
func checkAcceptanceMessages(t *testing.T, msgs []acceptanceEmail) {
	t.Helper()
	for _, m := range msgs {
		wantInvoices := map[string][]string{"A": {"FA-A1"}, "C": {"FA-C1"}, "P": {"FA-P1"}, "I": {"FA-I1"}}[m.client]
		switch {
		case m.client == "B" && m.day <= "2025-10-02":
			wantInvoices = []string{"FA-B1", "FA-B2"}
		case m.client == "B" && (m.day < "2025-11-20" || m.day == "2025-12-01"):
			wantInvoices = []string{"FA-B2"}
		case m.client == "B":
			wantInvoices = []string{"FA-B1"}
		case m.client == "G" && m.day <= "2025-11-03":
			wantInvoices = []string{"FA-G1"}
		case m.client == "G":
			wantInvoices = []string{"FA-G2"}
		}
		for _, n := range []string{"FA-A1", "FA-B1", "FA-B2", "FA-C1", "FA-P1", "FA-I1", "FA-G1", "FA-G2"} {
			if strings.Contains(m.text, n) != slices.Contains(wantInvoices, n) {
				t.Errorf("%s: lists %s = %v, want invoices %v:\n%s", m, n, strings.Contains(m.text, n), wantInvoices, m.text)
			}
		}
		for _, who := range []string{"Atelier Durand SAS", "12 rue des Tanneurs", "SIREN 732 829 320"} {
			if !strings.Contains(m.text, who) {
				t.Errorf("%s: the creditor's %q is missing", m, who)
			}
		}
		penalties := m.step == "level3" || m.step == "level4" || m.step == "level5"
		if has := strings.Contains(m.text, "40,00\u00a0€") || strings.Contains(m.text, "€40.00"); has != penalties {
			t.Errorf("%s: penalties shown %v, want %v", m, has, penalties)
		}
		if penalties {
			german := m.client == "G"
			if strings.Contains(m.text, "§ 288") != german && strings.Contains(m.text, "Section 288") != german {
				t.Errorf("%s: cites the German Civil Code = %v, want %v:\n%s", m, !german, german, m.text)
			}
			if strings.Contains(m.text, "L441-10") == german {
				t.Errorf("%s: cites the French Commercial Code = %v, want %v", m, german, !german)
			}
		}
	}
	// Worked amounts, simple interest actual/365 from the day after the due date:
	//   G level 3 on 10-06, German rules (base rate 1.27 % + 9 = 10.27 %):
	//     4,000.00 × 10.27 % × 34 / 365 = 38.27
	//   I level 3 on 09-25, French rules (ECB 2.15 % + 10 = 12.15 %):
	//     5,000.00 × 12.15 % × 31 / 365 = 51.60
	worked := map[string][]string{
		"2025-10-06 G level3": {"10.27%", "€38.27", "Section 288 of the German Civil Code (BGB)"},
		"2025-09-25 I level3": {"12,15\u00a0%", "51,60\u00a0€", "article L441-10 du Code de commerce"},
	}
	for _, m := range msgs {
		for _, w := range worked[m.String()] {
			if !strings.Contains(m.text, w) {
				t.Errorf("%s lacks %q:\n%s", m, w, m.text)
			}
		}
	}
}

// checkAcceptanceLetter reads the German client's formal notice (in
// English, its locale): both parties' names, addresses and ids, and the
// claim under German law:
//
//	FA-G1 4,000.00 due 09-02, 62 days late on 11-03 at 10.27 % (base rate
//	1.27 % + 9): 4,000.00 × 10.27 % × 62 / 365 = 69.78; + €40.00 = 4,109.78
func checkAcceptanceLetter(t *testing.T, path string) {
	t.Helper()
	pdf, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := lettertest.Text(t, pdf)
	flat := lettertest.Flat(text)
	for _, want := range []string{"Atelier Durand SAS", "12 rue des Tanneurs", "69002 Lyon", "FRANCE", "SIREN 732 829 320",
		"Weber Maschinenbau GmbH", "Hauptstraße 5", "10115 Berlin", "GERMANY", "VAT number DE123456789",
		"Lyon, 3 November 2025",
		"FA-G1 3 Aug 2025 2 Sep 2025 €4,000.00 62 €69.78 €40.00 €4,109.78",
		"Section 288 of the German Civil Code (BGB)", "at the rate of 10.27% per annum", "(Section 288(5) BGB)",
		"TOTAL DUE €4,109.78"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the letter lacks %q", want)
		}
	}
	if strings.Contains(flat, "L441") || strings.Contains(flat, "D441") {
		t.Error("the German client's letter cites the French Commercial Code")
	}
	if t.Failed() {
		t.Logf("pdftotext:\n%s", text)
	}
}

// checkAcceptanceLedger checks what the engine recorded by itself: the
// promises settled, the claim-declaration task, the provisions.
func checkAcceptanceLedger(t *testing.T, ctx context.Context, url string, summaries map[string]string) {
	t.Helper()
	pool, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rows, err := pool.Query(ctx, `SELECT c.code || ' ' || p.status || ' ' || p.settled_on FROM promise p JOIN client c ON c.id = p.client_id ORDER BY c.code`)
	if err != nil {
		t.Fatal(err)
	}
	promises, _ := pgxCollect(rows)
	if want := []string{"C kept 2025-10-09", "P broken 2025-10-07"}; !slices.Equal(promises, want) {
		t.Errorf("promises %v, want %v", promises, want)
	}
	var task string
	if err := pool.QueryRow(ctx, `SELECT t.kind || ' ' || t.due_on FROM task t JOIN client c ON c.id = t.client_id WHERE c.code = 'I'`).Scan(&task); err != nil || task != "claim_declaration 2025-12-15" {
		t.Errorf("insolvency task %q (%v), want the claim declaration due 2 months after the 10-15 publication", task, err)
	}
	rows, err = pool.Query(ctx, `SELECT i.number || ' ' || p.proposed_on FROM provision p JOIN invoice i ON i.id = p.invoice_id ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	provisions, _ := pgxCollect(rows)
	// Actions fire on the first day on or after due+121, business day or not:
	// FA-G1 02/09 + 121 = Thu 01-01, FA-P1 19/09 + 121 = Sun 01-18. FA-I1 is
	// doubtful from the first sweep that knows of I's insolvency, 10-06.
	if want := []string{"FA-G1 2026-01-01", "FA-I1 2025-10-06", "FA-P1 2026-01-18"}; !slices.Equal(provisions, want) {
		t.Errorf("provisions %v, want %v", provisions, want)
	}
	if !strings.Contains(summaries["2025-10-07"], "promises kept: 0, broken: 1") || !strings.Contains(summaries["2025-10-09"], "promises kept: 1, broken: 0") {
		t.Errorf("sweep summaries:\n%s\n%s", summaries["2025-10-07"], summaries["2025-10-09"])
	}
}

// checkAcceptanceTimelines reads two clients' timelines: who did what (actor
// recorded the people's actions), and why.
func checkAcceptanceTimelines(t *testing.T, env []string, actor string) {
	t.Helper()
	end := clock.Date(2026, 1, 28)
	out, err := runCLIAt(t, end, env, "client", "timeline", "B")
	if err != nil {
		t.Fatal(err)
	}
	out = squeeze(out)
	for _, want := range []string{
		"05/10/2025  litige ouvert  FA-B1  ", actor + "  qualité – pièces rayées",
		"16/10/2025  relance envoyée level2  FA-B2",
		"20/11/2025  litige résolu  FA-B1  ", actor + "  avoir AV-12 émis",
		"01/12/2025  mise en demeure (LRAR) level5  FA-B2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("B's timeline lacks %q:\n%s", want, out)
		}
	}
	out, err = runCLIAt(t, end, append(env, "RELANCE_LOCALE=en"), "client", "timeline", "P")
	if err != nil {
		t.Fatal(err)
	}
	out = squeeze(out)
	for _, want := range []string{
		"2025-09-26  promise to pay  FA-P1  €1,500.00  " + actor + "  virement promis au téléphone – to pay by 2025-10-03",
		"2025-10-07  promise broken  FA-P1  €1,500.00  relance  not paid by 2025-10-03",
		"2025-10-07  reminder sent level2  FA-P1",
		"2026-01-18  provision proposed  FA-P1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("P's timeline lacks %q:\n%s", want, out)
		}
	}
}

// squeeze makes every run of two spaces or more, which tabwriter pads
// columns with, two spaces.
func squeeze(s string) string { return columnGap.ReplaceAllString(s, "  ") }

var columnGap = regexp.MustCompile(` {2,}`)

func pgxCollect(rows pgx.Rows) ([]string, error) { return pgx.CollectRows(rows, pgx.RowTo[string]) }
