package worker

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/letter"
	"github.com/relance/relance/internal/letter/lettertest"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
)

// levelFiveClient is client code (Boulangerie Martin & Fils, in Grenoble
// when withAddress) with emails and three late invoices whose levels 1 to 4
// went out, the last on 1 September: its formal notice is due on Monday 15
// September 2025.
func (f fixture) levelFiveClient(code string, emails []string, withAddress bool) int64 {
	f.t.Helper()
	if emails == nil {
		emails = []string{}
	}
	client := f.id(`INSERT INTO client (entity_id, code, name, emails) VALUES (1, $1, 'Boulangerie Martin & Fils', $2) RETURNING id`, code, emails)
	if withAddress {
		f.exec(`UPDATE client SET address_line1 = '3 place du Marché', postcode = '38000', city = 'Grenoble' WHERE id = $1`, client)
	}
	a := f.invoice(client, "F2025-0101", "2025-05-10", "2025-06-10", 1_200_000)
	b := f.invoice(client, "F2025-0117", "2025-05-25", "2025-06-25", 480_000)
	c := f.invoice(client, "F2025-0142", "2025-06-10", "2025-07-10", 240_000)
	f.pay(b, "2025-05-30", 180_000)
	for _, inv := range []int64{a, b, c} {
		for level, on := range map[int]string{1: "2025-08-04", 2: "2025-08-11", 3: "2025-08-25", 4: "2025-09-01"} {
			f.exec(`INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_at, sent_on)
				VALUES ($1, $2, 'standard', 'level'||$3::int, $3, 'email', 'level'||$3::int, $4, 'sent', $4::date, $4)`, inv, client, level, d(on))
		}
	}
	return client
}

// TestLevel5LetterStatesEveryHalfYear takes a client with three invoices
// late across 1 July 2025 to its level-5 step: one job, one PDF, whose text
// (pdftotext) carries the debtor's address, every invoice, the interest of
// each half-year at its own rate, the indemnities and the total, as computed
// by hand in internal/letter's TestFormalNoticeStatement:
//
//	F2025-0101 12,000.00 due 10 June: 20 days at 13.15% = 86.46, 77 at 12.15% = 307.58
//	F2025-0117 3,000.00 left of 4,800.00, due 25 June: 5 days = 5.40, 77 days = 76.90
//	F2025-0142 2,400.00 due 10 July: 67 days at 12.15% = 53.53
//	17,400.00 + 529.87 + 3 × 40.00 = 18,049.87
func TestLevel5LetterStatesEveryHalfYear(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	f.exec(`UPDATE entity SET name = 'Atelier Durand SAS' WHERE id = 1`)
	f.levelFiveClient("C042", nil, true)

	res, dr := h.day(d("2025-09-15"))
	if len(res.Jobs) != 1 || res.Jobs[0].Channel != "registered_letter" || dr.Failed() > 0 {
		t.Fatalf("jobs %+v, drain %+v: want one registered letter", res.Jobs, dr)
	}
	var pdfs []string
	_ = filepath.WalkDir(h.letters, func(p string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() && filepath.Ext(p) == ".pdf" {
			pdfs = append(pdfs, p)
		}
		return nil
	})
	if len(pdfs) != 1 || filepath.Base(pdfs[0]) != "C042-level5.pdf" {
		t.Fatalf("letters %v, want one C042-level5.pdf", pdfs)
	}
	pdf, err := os.ReadFile(pdfs[0])
	if err != nil {
		t.Fatal(err)
	}
	text := lettertest.Flat(lettertest.Text(t, pdf))
	for _, want := range []string{
		"Atelier Durand SAS", "Boulangerie Martin & Fils", "3 place du Marché", "38000 Grenoble", "MISE EN DEMEURE",
		"F2025-0101 10/05/2025 10/06/2025 12 000,00 € 97 394,04 € 40,00 € 12 434,04 €",
		"F2025-0117 25/05/2025 25/06/2025 3 000,00 € 82 82,30 € 40,00 € 3 122,30 €",
		"F2025-0142 10/06/2025 10/07/2025 2 400,00 € 67 53,53 € 40,00 € 2 493,53 €",
		"F2025-0101 du 11/06/2025 au 30/06/2025 20 13,15 % 12 000,00 € 86,46 €",
		"du 01/07/2025 au 15/09/2025 77 12,15 % 12 000,00 € 307,58 €",
		"F2025-0117 du 26/06/2025 au 30/06/2025 5 13,15 % 3 000,00 € 5,40 €",
		"du 01/07/2025 au 15/09/2025 77 12,15 % 3 000,00 € 76,90 €",
		"F2025-0142 du 11/07/2025 au 15/09/2025 67 12,15 % 2 400,00 € 53,53 €",
		"Indemnités forfaitaires (3 factures × 40,00 €) 120,00 €", "TOTAL À RÉGLER 18 049,87 €",
		"au taux de 13,15 % l'an du 01/01/2025 au 30/06/2025, puis de 12,15 % l'an depuis le 01/07/2025",
		"au plus tard le 23 septembre 2025",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("pdftotext:\n%s", text)
	}
	var sent int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM reminder WHERE step_id = 'level5' AND status = 'sent'`).Scan(&sent); err != nil {
		t.Fatal(err)
	}
	if sent != 3 {
		t.Errorf("%d level-5 rows sent, want 3", sent)
	}
}

// TestLetterWithoutPostalAddress: a formal notice with no postal address to
// go to is not produced. Its rows fail with a reason that says what to
// record, an event says so, and nothing is blamed on the client's email:
// no bounce, no copy sent alone.
func TestLetterWithoutPostalAddress(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	client := f.levelFiveClient("C042", []string{"compta@martin.example"}, false)
	f.exec(`UPDATE client SET postcode = '38000' WHERE id = $1`, client)
	res, dr := h.day(d("2025-09-15"))
	if dr.Cancelled != 1 {
		t.Fatalf("drain %+v, want the job cancelled", dr)
	}
	if got := jobStates(t, h, res.JobIDs); len(got) != 1 || got[0] != "cancelled/1" {
		t.Errorf("job %v, want cancelled after one attempt", got)
	}
	reasons := queryStrings(t, pool, `SELECT DISTINCT status || ': ' || drop_reason FROM reminder WHERE step_id = 'level5'`)
	want := "failed: letter not produced: client C042 has no postal address (missing address_line1, city); record it with `relance client set C042 --address … --postcode … --city …`"
	if len(reasons) != 1 || reasons[0] != want {
		t.Errorf("level-5 rows %q, want %q", reasons, want)
	}
	var events int
	var bouncing bool
	if err := pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM event WHERE kind = 'reminder_failed' AND client_id = $1 AND detail->>'error' LIKE 'letter not produced%'),
		email_bouncing_since IS NOT NULL FROM client WHERE id = $1`, client).Scan(&events, &bouncing); err != nil {
		t.Fatal(err)
	}
	if events != 1 || bouncing {
		t.Errorf("%d reminder_failed events, bouncing %v; want 1 and false", events, bouncing)
	}
	files, _ := filepath.Glob(filepath.Join(h.letters, "*", "*"))
	if len(files) != 0 || len(h.srv.Messages()) != 0 || len(h.lettersRecorded()) != 0 {
		t.Errorf("files %v, %d emails, %d letters: want none", files, len(h.srv.Messages()), len(h.lettersRecorded()))
	}
}

// TestLetterOutboxWithoutEmailCopy: a plan step with email_copy: false
// sends the letter alone. On the outbox channel the letter is handed over
// once its manifest is written: the rows are sent, the letter waits for a
// person, and the manifest on disk is the one recorded.
func TestLetterOutboxWithoutEmailCopy(t *testing.T) {
	src := strings.Replace(string(plans.DefaultYAML), "template: formal_notice, penalties: true}",
		"template: formal_notice, penalties: true, email_copy: false}", 1)
	set, err := plans.Load("no-copy.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	pool := pgtest.NewDB(t)
	h := newHarnessWith(t, pool, func(h *harness) { h.sweeper.Plans, h.sender.Plans = set, set })
	f := fixture{t, pool}
	f.levelFiveClient("C042", []string{"compta@martin.example"}, true)
	if _, dr := h.day(d("2025-09-15")); dr.Completed != 1 {
		t.Fatalf("drain %+v", dr)
	}
	letters := h.lettersRecorded()
	if len(letters) != 1 {
		t.Fatalf("%d letters, want 1", len(letters))
	}
	l := letters[0]
	if l.Channel != ledger.LetterOutbox || l.Status != ledger.LetterReady || l.Copy.Status != ledger.CopyOff ||
		l.File != filepath.Join(h.letters, "2025-09-15", "C042-level5.pdf") {
		t.Errorf("letter %+v", l)
	}
	if n := len(h.srv.Messages()); n != 0 {
		t.Errorf("%d emails, want none (email_copy: false)", n)
	}
	onDisk, err := os.ReadFile(strings.TrimSuffix(l.File, ".pdf") + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var disk, recorded letter.Manifest
	if json.Unmarshal(onDisk, &disk) != nil || json.Unmarshal(l.Manifest, &recorded) != nil || !reflect.DeepEqual(disk, recorded) || disk.Key != l.Key {
		t.Errorf("manifest on disk %s\nrecorded %s", onDisk, l.Manifest)
	}
	var sent int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM reminder WHERE step_id = 'level5' AND status = 'sent'`).Scan(&sent); err != nil || sent != 3 {
		t.Errorf("%d rows sent (%v), want 3", sent, err)
	}
}
