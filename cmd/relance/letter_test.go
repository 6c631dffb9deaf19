package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/letter"
)

// outboxEnv is a database where client C042 (Grenoble) is due its formal
// notice on 15 September 2025, mail written to files, and alice's shell.
func outboxEnv(t *testing.T) (env []string, outbox string) {
	t.Helper()
	url := seededURL(t, `
		UPDATE entity SET name = 'Atelier Durand SAS', address_line1 = '12 rue des Tanneurs', postcode = '69002', city = 'Lyon', siren = '732829320';
		INSERT INTO client (entity_id, code, name, emails, address_line1, address_line2, postcode, city)
		VALUES (1, 'C042', 'Boulangerie Martin & Fils', '{compta@martin.example}', '3 place du Marché', 'BP 12', '38000', 'Grenoble');
		INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		SELECT 1, id, n, '2025-06-01', '2025-07-01', 120000 FROM client, unnest(ARRAY['F-1', 'F-2']) n;
		INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_at, sent_on)
		SELECT i.id, i.client_id, 'standard', 'level' || l, l, 'email', 'level' || l, d, 'sent', d, d
		FROM invoice i, (VALUES (1, '2025-08-04'::date), (2, '2025-08-11'), (3, '2025-08-25'), (4, '2025-09-01')) AS x(l, d);`)
	outbox = t.TempDir()
	return []string{"DATABASE_URL=" + url, "USER=alice", "RELANCE_MAIL_DIR=" + outbox, "RELANCE_MAIL_FROM=Compta Durand <compta@durand.example>"}, outbox
}

// TestLetterOutbox: the formal notice of the outbox channel is a PDF and a
// manifest in letters.dir, waiting for a person; letter list --unposted
// shows it, letter posted records the posting with its tracking number on
// the client's timeline, and it waits no more.
func TestLetterOutbox(t *testing.T) {
	env, outbox := outboxEnv(t)
	out := must(t, env, "sweep", "--as-of", "2025-09-15", "--drain")
	wantOut(t, out, "level5", "sent: 2, failed: 0")

	dir := filepath.Join(outbox, "letters", "2025-09-15")
	data, err := os.ReadFile(filepath.Join(dir, "C042-level5.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m letter.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, data)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "C042-level5.pdf"))
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") || m.Document.Bytes != len(pdf) {
		t.Fatalf("the PDF beside the manifest: %d bytes (%v), manifest says %d", len(pdf), err, m.Document.Bytes)
	}
	want := letter.Manifest{Version: 1, Key: m.Key, Service: "registered_with_acknowledgement", Day: "2025-09-15", Deadline: "2025-09-23",
		Locale: "fr", Step: "level5", Entity: "default", Client: "C042",
		Recipient: letter.Party{Name: "Boulangerie Martin & Fils", Lines: []string{"3 place du Marché", "BP 12", "38000 Grenoble"},
			Line1: "3 place du Marché", Line2: "BP 12", Postcode: "38000", City: "Grenoble", Country: "FR"},
		Sender: letter.Party{Name: "Atelier Durand SAS", Lines: []string{"12 rue des Tanneurs", "69002 Lyon"},
			Line1: "12 rue des Tanneurs", Postcode: "69002", City: "Lyon", Country: "FR", SIREN: "732 829 320"},
	}
	if !strings.HasPrefix(m.Key, "relance-") || m.Version != want.Version || m.Service != want.Service || m.Day != want.Day ||
		m.Deadline != want.Deadline || m.Locale != want.Locale || m.Step != want.Step || m.Entity != want.Entity || m.Client != want.Client ||
		!equalJSON(m.Recipient, want.Recipient) || !equalJSON(m.Sender, want.Sender) {
		t.Errorf("manifest\n%s", data)
	}
	// 1,200.00 each, 76 days late at 12.15% from 2 July (1 July: the
	// first day late): 1,200 × 12.15% × 76/365 = 30.36, plus 40.00.
	if len(m.Invoices) != 2 || m.Invoices[0].Number != "F-1" || m.Invoices[0].DaysLate != 76 || m.Invoices[0].Outstanding != "1200.00" ||
		m.Invoices[0].Interest != "30.36" || m.Invoices[0].Indemnity != "40.00" || m.Total.Due != "2540.72" || len(m.Reminders) != 2 {
		t.Errorf("invoices %+v, total %+v, reminders %v", m.Invoices, m.Total, m.Reminders)
	}
	emls, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if len(emls) != 1 {
		t.Fatalf("%d emails in the outbox, want the letter's copy", len(emls))
	}
	if eml, _ := os.ReadFile(emls[0]); !strings.Contains(string(eml), `filename="mise-en-demeure-C042.pdf"`) {
		t.Errorf("the copy does not carry the PDF")
	}

	out = must(t, env, "letter", "list", "--unposted")
	wantOut(t, out, "N°  DATE  CLIENT  FACTURES  CANAL  STATUT", "1  15/09/2025  C042  F-1, F-2  outbox  à poster  15/09/2025  envoyée  "+filepath.Join(dir, "C042-level5.pdf"))
	if _, _, err := runCLI(t, env, "letter", "posted", "1", "--tracking", "x", "--as-of", "2025-09-16"); err == nil || !strings.Contains(err.Error(), "tracking number") {
		t.Errorf("a bad tracking number: %v", err)
	}
	out = must(t, env, "letter", "posted", "1", "--tracking", "1A 123 456 7890 1", "--as-of", "2025-09-16")
	wantOut(t, out, "courrier 1 (client C042, F-1, F-2) posté le 16/09/2025, suivi 1A12345678901")
	_, _, err = runCLI(t, env, "letter", "posted", "1", "--tracking", "1A99999999999", "--as-of", "2025-09-17")
	if !errors.Is(err, ledger.ErrLetterConflict) {
		t.Errorf("posted twice: %v", err)
	}
	if out = must(t, env, "letter", "list", "--unposted"); !strings.Contains(out, "aucun courrier") {
		t.Errorf("still waiting:\n%s", out)
	}
	out = must(t, append(env, "RELANCE_LOCALE=en"), "letter", "list")
	wantOut(t, out, "1  2025-09-15  C042  F-1, F-2  outbox  posted  2025-09-16  1A12345678901  sent")
	out = must(t, env, "client", "timeline", "C042")
	wantOut(t, out, "15/09/2025  courrier prêt à poster  F-1, F-2  relance  courrier n° 1",
		"16/09/2025  courrier posté  F-1, F-2  cli:alice  courrier n° 1 – suivi 1A12345678901")
}

// TestEntityLetterChannelFlag: --letter-channel sets how an entity's
// letters leave, and says when the webhook has nowhere to go.
func TestEntityLetterChannelFlag(t *testing.T) {
	env := ledgerEnv(t)
	out, stderr, err := runCLI(t, env, "entity", "set", "default", "--letter-channel", "webhook")
	if err != nil {
		t.Fatal(err)
	}
	wantOut(t, out, "courriers recommandés  webhook")
	if !strings.Contains(stderr, "letters.webhook.url n'est pas configurée") {
		t.Errorf("no warning without a provider: %q", stderr)
	}
	_, stderr, _ = runCLI(t, append(env, "RELANCE_LETTERS_WEBHOOK_URL=https://lre.example/v1/letters",
		"RELANCE_LETTERS_WEBHOOK_SECRET=whsec_0123456789abcdef"), "entity", "set", "default", "--letter-channel", "webhook")
	if stderr != "" {
		t.Errorf("a warning with a provider: %q", stderr)
	}
	if _, _, err := runCLI(t, env, "entity", "set", "default", "--letter-channel", "pigeon"); err == nil || !strings.Contains(err.Error(), "letter_channel") {
		t.Errorf("a bad channel: %v", err)
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
