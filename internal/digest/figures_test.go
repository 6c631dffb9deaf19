package digest

import (
	"context"
	"testing"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestFiguresCountLettersFromTheLetterTable: the digest's letters are the
// letter table's, by their date, not the reminder rows of level 5: a
// letter that failed for want of a postal address was never one, and the
// letters still in the outbox are counted whatever their date.
func TestFiguresCountLettersFromTheLetterTable(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO client (entity_id, code, name, emails) VALUES (1, 'C1', 'Martin SA', '{compta@martin.example}'),
		(1, 'C2', 'Sans adresse SARL', '{compta@sans.example}')`)
	exec(`INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		SELECT 1, c.id, 'F-' || c.code || '-' || n, '2025-06-01', '2025-07-01', 100000
		FROM client c, generate_series(1, 4) n`)
	// Level 5 of C1's four invoices on four days (sent: a letter each), of
	// C2's first one failed (no postal address: no letter), and an email.
	exec(`INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_on, sent_at)
		SELECT i.id, i.client_id, 'standard', 'level5', 5, 'registered_letter', 'formal_notice', v.day::date,
		       v.status, CASE WHEN v.status = 'sent' THEN v.day::date END, CASE WHEN v.status = 'sent' THEN v.day::date + time '10:00' END
		FROM (VALUES ('F-C1-1', '2025-09-10', 'sent'), ('F-C1-2', '2025-09-12', 'sent'), ('F-C1-3', '2025-09-13', 'sent'),
		             ('F-C1-4', '2025-09-15', 'sent'), ('F-C2-1', '2025-09-12', 'failed')) v(number, day, status)
		JOIN invoice i ON i.number = v.number`)
	exec(`INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_on, sent_at, message_id)
		SELECT id, client_id, 'standard', 'level2', 2, 'email', 'level2', '2025-09-12', 'sent', '2025-09-12', '2025-09-12 10:00', 'm1'
		FROM invoice WHERE number = 'F-C2-2'`)
	exec(`INSERT INTO letter (key, entity_id, client_id, reminder_ids, step_id, day, channel, file_path, manifest, status, copy_status, posted_on)
		SELECT 'k-' || i.number, 1, r.client_id, ARRAY[r.id], 'level5', r.due_on, 'outbox', '/letters/' || i.number || '.pdf', '{}',
		       v.status, 'sent', CASE WHEN v.status = 'posted' THEN r.due_on + 1 END
		FROM (VALUES ('F-C1-1', 'ready'), ('F-C1-2', 'posted'), ('F-C1-3', 'ready'), ('F-C1-4', 'ready')) v(number, status)
		JOIN invoice i ON i.number = v.number
		JOIN reminder r ON r.invoice_id = i.id AND r.level = 5`)

	s := &Sender{DB: db}
	// The digest of Monday 15 September covers Friday 12 to Sunday 14.
	f, err := s.figures(ctx, 1, clock.Date(2025, 9, 12), clock.Date(2025, 9, 14), clock.Date(2025, 9, 15))
	if err != nil {
		t.Fatal(err)
	}
	// Letters of the period: F-C1-2 (posted) and F-C1-3; in the outbox:
	// F-C1-1 (of the 10th), F-C1-3, and F-C1-4 of the digest's own day.
	if f.Letters != 2 || f.LettersWaiting != 3 {
		t.Errorf("letters %d, waiting %d; want 2 and 3", f.Letters, f.LettersWaiting)
	}
	if len(f.Sent) != 1 || f.Sent[2] != 1 {
		t.Errorf("sent by level %v, want the one email at level 2 (letters apart)", f.Sent)
	}
	if f.TodayLetters != 1 {
		t.Errorf("today's letters %d, want F-C1-4's", f.TodayLetters)
	}
}
