package worker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relance/relance/internal/letter/lettertest"
	"github.com/relance/relance/internal/pgtest"
)

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
	client := f.id(`INSERT INTO client (entity_id, code, name, address_line1, postcode, city)
		VALUES (1, 'C042', 'Boulangerie Martin & Fils', '3 place du Marché', '38000', 'Grenoble') RETURNING id`)
	a := f.invoice(client, "F2025-0101", "2025-05-10", "2025-06-10", 1_200_000)
	b := f.invoice(client, "F2025-0117", "2025-05-25", "2025-06-25", 480_000)
	c := f.invoice(client, "F2025-0142", "2025-06-10", "2025-07-10", 240_000)
	f.pay(b, "2025-05-30", 180_000)
	// Levels 1 to 4 went out (by email, the client has since lost its
	// address); the last on 1 September, 14 days before the letter.
	for _, inv := range []int64{a, b, c} {
		for level, on := range map[int]string{1: "2025-08-04", 2: "2025-08-11", 3: "2025-08-25", 4: "2025-09-01"} {
			f.exec(`INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_at)
				VALUES ($1, $2, 'standard', 'level'||$3::int, $3, 'email', 'level'||$3::int, $4, 'sent', $4::date)`, inv, client, level, d(on))
		}
	}

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
