package preview

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/worker"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// seed is a small French portfolio as of Friday 12 September 2025.
const seed = `
INSERT INTO client (entity_id, code, name, country, emails) VALUES
  (1, 'C1', 'Alpha SARL', 'FR', '{compta@alpha.example}'), (1, 'C2', 'Beta SA', 'FR', '{compta@beta.example}'),
  (1, 'C3', 'Gamma SAS', 'FR', '{compta@gamma.example}'), (1, 'C5', 'Epsilon SARL', 'FR', '{compta@epsilon.example}'),
  (1, 'C6', 'Zeta SAS', 'FR', '{compta@zeta.example}');
INSERT INTO client (entity_id, code, name, country, emails, insolvency_opened_on) VALUES (1, 'C4', 'Delta SA', 'FR', '{compta@delta.example}', '2025-09-01');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, settled)
SELECT 1, c.id, v.number, v.issue::date, v.due::date, v.amount, v.settled
FROM (VALUES
  ('C1', 'A-1', '2025-06-14', '2025-07-14', 1200000, 0),
  ('C1', 'A-2', '2025-08-12', '2025-09-11',   50000, 0),
  ('C1', 'A-3', '2025-07-01', '2025-08-01',   80000, 0),
  ('C1', 'A-4', '2025-06-01', '2025-07-01',   30000, 30000),
  ('C2', 'B-1', '2025-07-01', '2025-08-01',  100000, 99500),
  ('C3', 'G-1', '2025-07-01', '2025-08-01',  200000, 0),
  ('C4', 'D-1', '2025-07-01', '2025-08-01',  300000, 0),
  ('C5', 'E-1', '2025-04-01', '2025-05-01',  400000, 0),
  ('C6', 'Z-1', '2025-08-18', '2025-09-17',  600000, 0)
) v(client, number, issue, due, amount, settled)
JOIN client c ON c.code = v.client;
INSERT INTO allocation (invoice_id, source, amount, applied_on)
SELECT id, 'import', settled, '2025-09-01' FROM invoice WHERE settled <> 0;
INSERT INTO dispute (invoice_id, reason, opened_on) SELECT id, 'quantité', '2025-09-01' FROM invoice WHERE number = 'A-3';
INSERT INTO promise (invoice_id, client_id, promised_on, pay_by, until) SELECT id, client_id, '2025-09-05', '2025-09-20', '2025-09-20' FROM invoice WHERE number = 'G-1';
INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_on)
SELECT i.id, i.client_id, 'standard', v.step, v.level, 'email', v.step, v.day::date, 'sent', v.day::date
FROM (VALUES ('A-1', 'level1', 1, '2025-07-15'), ('A-1', 'level2', 2, '2025-07-29'), ('A-3', 'level1', 1, '2025-08-04'),
  ('E-1', 'level1', 1, '2025-05-02'), ('E-1', 'level2', 2, '2025-05-16'), ('E-1', 'level3', 3, '2025-06-02'),
  ('E-1', 'level4', 4, '2025-06-16'), ('E-1', 'level5', 5, '2025-07-01'))
  v(number, step, level, day)
JOIN invoice i ON i.number = v.number;
`

// previewSeed previews four days from Friday 12 September 2025 of the seed
// plus more, with the default plans and the French penalties.
func previewSeed(t *testing.T, more string) (*Report, *plans.Set, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	if _, err := db.Exec(ctx, seed+more); err != nil {
		t.Fatal(err)
	}
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	rates, err := penalty.DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	calc, err := penalty.New("FR", rates, "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, db, Options{Entity: "default", From: time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC), Days: 4,
		Sweeper: sweeper(set), Plans: set, Penalties: calc})
	if err != nil {
		t.Fatal(err)
	}
	return rep, set, db
}

func TestPreview(t *testing.T) {
	ctx := context.Background()
	rep, set, db := previewSeed(t, "")
	if len(rep.Days) != 4 {
		t.Fatalf("%d days", len(rep.Days))
	}

	fri := rep.Days[0]
	if len(fri.Messages) != 2 {
		t.Fatalf("Friday messages = %+v", fri.Messages)
	}
	m := fri.Messages[0]
	// A-1 (due 14 July, level2 sent 29 July) reaches level3 with the DESIGN
	// example's penalties; A-2 (due 11 September) reaches level1. One email,
	// with the template of the highest step.
	if m.ClientCode != "C1" || m.Channel != "email" || m.Template != "level3" || m.Level != 3 || m.Total != 1_250_000 || len(m.Invoices) != 2 {
		t.Errorf("message = %+v", m)
	}
	got := map[string]InvoiceLine{}
	for _, l := range m.Invoices {
		got[l.Number] = l
	}
	if l := got["A-1"]; l.StepID != "level3" || l.DaysLate != 60 || l.Interest != 23967 || l.Indemnity != 4000 {
		t.Errorf("A-1 = %+v, want level3, 60 days, 239.67 + 40.00", l)
	}
	if l := got["A-2"]; l.StepID != "level1" || l.Interest != 0 {
		t.Errorf("A-2 = %+v, want level1 without penalties", l)
	}
	if h := held(fri); h != "C1 A-3 dispute; C2 B-1 min_amount; C3 G-1 promise; C4 D-1 insolvency" {
		t.Errorf("Friday held back: %s", h)
	}

	// Z-1 is due Wednesday 17 September: its pre-due notice (−5d) is today.
	if z := fri.Messages[1]; z.ClientCode != "C6" || z.Template != "pre_due" || z.Level != 0 || z.Invoices[0].DaysLate != -5 {
		t.Errorf("pre-due message = %+v", z)
	}
	// E-1, 134 days late after level5: the provision proposal, no message.
	if len(fri.Actions) != 1 || fri.Actions[0] != (Action{ClientCode: "C5", Number: "E-1", StepID: "provision", Action: "provision", Profile: "standard"}) {
		t.Errorf("Friday actions = %+v", fri.Actions)
	}
	// The proposals as the sweep's review makes them: E-1 by age (its step
	// fired), D-1 because C4's insolvency opened, whatever its age; both at
	// 100% of the outstanding excl. VAT, 20% VAT assumed.
	if got := proposed(fri); got != "C4 D-1 insolvency 10000 250000 EUR; C5 E-1 age 10000 333333 EUR" {
		t.Errorf("Friday provisions: %s", got)
	}
	for _, d := range rep.Days[1:] {
		if len(d.Actions)+len(d.Provisions) != 0 {
			t.Errorf("%s: the provision fired again: %+v %+v", d.Date, d.Actions, d.Provisions)
		}
	}

	// Saturday and Sunday: nothing goes out, nothing is listed as held.
	for _, d := range rep.Days[1:3] {
		if len(d.Messages) != 0 || len(d.Held) != 0 {
			t.Errorf("%s: messages %+v, held %+v", d.Date, d.Messages, d.Held)
		}
	}
	// Monday: the preview assumed Friday's level3 went out, so A-1 waits for
	// min_gap; nothing is sent.
	mon := rep.Days[3]
	if len(mon.Messages) != 0 {
		t.Errorf("Monday messages = %+v", mon.Messages)
	}
	// A-2 (level1 Friday) is simply not due for level2 yet: not held back.
	if h := held(mon); h != "C1 A-1 gap; C1 A-3 dispute; C2 B-1 min_amount; C3 G-1 promise; C4 D-1 insolvency" {
		t.Errorf("Monday held back: %s", h)
	}

	// Nothing was written.
	nothingWritten(t, db, 8)

	if _, err := Run(ctx, db, Options{Entity: "nope", From: time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC), Sweeper: sweeper(set), Plans: set}); !errors.Is(err, ErrUnknownEntity) {
		t.Errorf("an unknown entity previewed: %v", err)
	}
}

// sweeper is the engine's sweep with the real country calendars.
func sweeper(set *plans.Set) *worker.Sweeper {
	return &worker.Sweeper{Plans: set, Calendars: func(country string) (worker.Calendar, error) { return calendar.For(country) }}
}

// nothingWritten checks that the preview left no reminder row but the
// reminders seeded, and no River job, provision, task or event.
func nothingWritten(t *testing.T, db *pgxpool.Pool, reminders int) {
	t.Helper()
	var n, jobs, other int
	err := db.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM reminder), (SELECT count(*) FROM river_job),
		(SELECT count(*) FROM provision) + (SELECT count(*) FROM task) + (SELECT count(*) FROM event)`).Scan(&n, &jobs, &other)
	if err != nil || n != reminders || jobs != 0 || other != 0 {
		t.Errorf("after the preview: %d reminder rows (want the %d seeded), %d River jobs, %d provisions, tasks and events (%v)",
			n, reminders, jobs, other, err)
	}
}

func proposed(d Day) string {
	var out []string
	for _, p := range d.Provisions {
		out = append(out, fmt.Sprintf("%s %s %s %d %d %s", p.ClientCode, p.Number, p.Cause, p.RateBP, p.Amount, p.Currency))
	}
	return strings.Join(out, "; ")
}

func held(d Day) string {
	var out []string
	for _, h := range d.Held {
		out = append(out, fmt.Sprintf("%s %s %s", h.ClientCode, h.Number, h.Reason))
	}
	return strings.Join(out, "; ")
}

// What the preview used to get wrong, now read from the sweep: a client
// without an email address gets its registered letter but no email (held
// no_email), a client whose address bounces gets none (held bouncing), a
// client whose payment or credit note was allocated only after the day owed
// nothing net that day (held net_balance), and a client without a postal
// address gets no letter (the send worker would fail it: held
// no_postal_address), though its email goes.
func TestPreviewHoldsWhatTheSweepHolds(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	if _, err := db.Exec(ctx, `
INSERT INTO client (entity_id, code, name, emails, email_bouncing_since, address_line1, postcode, city) VALUES
  (1, 'N1', 'Sans adresse SARL', '{}', NULL, '4 quai Rambaud', '69002', 'Lyon'),
  (1, 'N2', 'Rebond SA', '{compta@rebond.example}', '2025-09-01', NULL, NULL, NULL),
  (1, 'N3', 'Payé SAS', '{compta@paye.example}', NULL, NULL, NULL, NULL),
  (1, 'N4', 'Avoir SARL', '{compta@avoir.example}', NULL, NULL, NULL, NULL),
  (1, 'N5', 'Sans courrier SAS', '{compta@courrier.example}', NULL, NULL, '38000', 'Grenoble');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, settled)
SELECT 1, c.id, v.number, v.issue::date, v.due::date, v.amount, v.settled
FROM (VALUES ('N1', 'N1-1', '2025-07-01', '2025-08-01', 100000, 0),
             ('N1', 'N1-2', '2025-05-01', '2025-06-01', 200000, 0),
             ('N2', 'N2-1', '2025-07-01', '2025-08-01', 100000, 0),
             ('N3', 'N3-1', '2025-07-01', '2025-08-01', 100000, 100000),
             ('N4', 'N4-1', '2025-07-01', '2025-08-01', 100000, 100000),
             ('N5', 'N5-1', '2025-07-01', '2025-08-01', 100000, 0),
             ('N5', 'N5-2', '2025-05-01', '2025-06-01', 200000, 0)) v(client, number, issue, due, amount, settled)
JOIN client c ON c.code = v.client;
-- N1-2 and N5-2 have had levels 1 to 4: level 5 is a registered letter.
INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_on)
SELECT i.id, i.client_id, 'standard', 'level' || n, n, 'email', 'level' || n, '2025-06-02'::date + 14 * n, 'sent',
       '2025-06-02'::date + 14 * n
FROM invoice i, generate_series(1, 4) n WHERE i.number IN ('N1-2', 'N5-2');
-- N3 paid on 5 September, the payment allocated on 20 September.
INSERT INTO payment (entity_id, client_id, reference, received_on, amount, allocated)
SELECT 1, id, 'VIR-N3', '2025-09-05', 100000, 100000 FROM client WHERE code = 'N3';
INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on)
SELECT i.id, 'payment', p.id, 100000, '2025-09-20' FROM invoice i JOIN payment p ON p.client_id = i.client_id WHERE i.number = 'N3-1';
-- N4: a credit note of 2 September naming no invoice, allocated on 20 September.
INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, amount_incl_vat, settled)
SELECT 1, id, 'AV-N4', 'credit_note', '2025-09-02', '2025-09-02', -100000, -100000 FROM client WHERE code = 'N4';
INSERT INTO allocation (invoice_id, source, credit_note_id, amount, applied_on)
SELECT i.id, 'credit_note', cn.id, 100000, '2025-09-20' FROM invoice i, invoice cn WHERE i.number = 'N4-1' AND cn.number = 'AV-N4'`); err != nil {
		t.Fatal(err)
	}
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, db, Options{Entity: "default", From: time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC), Days: 1, Sweeper: sweeper(set), Plans: set})
	if err != nil {
		t.Fatal(err)
	}
	fri := rep.Days[0]
	if len(fri.Messages) != 2 || fri.Messages[0].ClientCode != "N1" || fri.Messages[0].Channel != "registered_letter" ||
		fri.Messages[0].Invoices[0].Number != "N1-2" || fri.Messages[0].StepID != "level5" ||
		fri.Messages[1].ClientCode != "N5" || fri.Messages[1].Channel != "email" || fri.Messages[1].Invoices[0].Number != "N5-1" {
		t.Errorf("messages = %+v, want N1's formal notice by registered letter and N5's email", fri.Messages)
	}
	if h := held(fri); h != "N1 N1-1 no_email; N2 N2-1 bouncing; N3 N3-1 net_balance; N4 N4-1 net_balance; N5 N5-2 no_postal_address" {
		t.Errorf("held back: %s", h)
	}
	nothingWritten(t, db, 8)
	var text strings.Builder
	if err := WriteText(&text, rep, "fr", set); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "N5-2") || !strings.Contains(text.String(), "pas d'adresse postale") {
		t.Errorf("the French preview does not say why N5-2's letter is held:\n%s", text.String())
	}
}

// The ledger's own rules as the sweep applies them, in the preview too: a
// paused client is held (and dunned once the pause ends), an excluded
// client is out of dunning (not even listed), a promise found kept by the
// sweep's Settle releases its invoice the day it was paid, a dispute past
// its `until` resumes, and a level whose previous one is still pending on a
// live send job waits for it on the first day; the job goes out that day
// (the sandbox counts it sent then, worker.Sandbox), so the next level
// waits the minimum gap from there.
func TestPreviewHoldsPausesAndWaits(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	if _, err := db.Exec(ctx, `
INSERT INTO client (entity_id, code, name, country, emails) VALUES
  (1, 'P1', 'Pause SARL', 'FR', '{compta@pause.example}'),
  (1, 'X1', 'Exclu SA', 'FR', '{compta@exclu.example}'),
  (1, 'K1', 'Tenu SAS', 'FR', '{compta@tenu.example}'),
  (1, 'L1', 'Litige SARL', 'FR', '{compta@litige.example}'),
  (1, 'W1', 'Attente SA', 'FR', '{compta@attente.example}');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
SELECT 1, c.id, c.code || '-1', '2025-07-01', '2025-08-01', 100000 FROM client c;
INSERT INTO pause (client_id, kind, from_on, until, reason, created_by)
SELECT id, 'pause', '2025-09-10', '2025-09-12', 'congés', 'test' FROM client WHERE code = 'P1';
INSERT INTO pause (client_id, kind, from_on, reason, created_by)
SELECT id, 'exclusion', '2025-09-01', 'contentieux', 'test' FROM client WHERE code = 'X1';
-- K1 promised half by 20 September and paid it on 11 September.
INSERT INTO promise (invoice_id, client_id, promised_on, pay_by, until, amount)
SELECT i.id, i.client_id, '2025-09-05', '2025-09-20', '2025-09-20', 50000 FROM invoice i WHERE i.number = 'K1-1';
INSERT INTO payment (entity_id, client_id, reference, received_on, amount, allocated)
SELECT 1, id, 'VIR-K1', '2025-09-11', 50000, 50000 FROM client WHERE code = 'K1';
INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on)
SELECT i.id, 'payment', p.id, 50000, '2025-09-11' FROM invoice i JOIN payment p ON p.client_id = i.client_id WHERE i.number = 'K1-1';
UPDATE invoice SET settled = 50000 WHERE number = 'K1-1';
-- L1's dispute holds through Friday 12 September, then lapses.
INSERT INTO dispute (invoice_id, reason, opened_on, until) SELECT id, 'prix', '2025-09-01', '2025-09-12' FROM invoice WHERE number = 'L1-1';
-- W1's level 1, decided on 1 September, has not gone out yet.
INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status)
SELECT i.id, i.client_id, 'standard', 'level1', 1, 'email', 'level1', '2025-09-01', 'pending' FROM invoice i WHERE i.number = 'W1-1';`); err != nil {
		t.Fatal(err)
	}
	// A live send job names W1's pending level 1.
	var w1, client int64
	if err := db.QueryRow(ctx, `SELECT id, client_id FROM reminder`).Scan(&w1, &client); err != nil {
		t.Fatal(err)
	}
	if _, err := insertOnly(t, db).Insert(ctx, worker.SendArgs{ClientID: client, Day: "2025-09-01", Channel: "email",
		Currency: "EUR", ReminderIDs: []int64{w1}}, nil); err != nil {
		t.Fatal(err)
	}
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, db, Options{Entity: "default", From: time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC), Days: 4, Sweeper: sweeper(set), Plans: set})
	if err != nil {
		t.Fatal(err)
	}
	sent := func(d Day) string {
		var out []string
		for _, m := range d.Messages {
			for _, l := range m.Invoices {
				out = append(out, m.ClientCode+" "+l.Number+" "+l.StepID)
			}
		}
		return strings.Join(out, "; ")
	}
	fri, mon := rep.Days[0], rep.Days[3]
	if s := sent(fri); s != "K1 K1-1 level1" {
		t.Errorf("Friday sent %q, want K1's level1 only (its promise kept on the 11th)", s)
	}
	if h := held(fri); h != "L1 L1-1 dispute; P1 P1-1 paused; W1 W1-1 waiting" {
		t.Errorf("Friday held back: %s", h)
	}
	if s := sent(mon); s != "L1 L1-1 level1; P1 P1-1 level1" {
		t.Errorf("Monday sent %q, want L1's and P1's level1 (dispute and pause over)", s)
	}
	if h := held(mon); h != "K1 K1-1 gap; W1 W1-1 gap" {
		t.Errorf("Monday held back: %s", h)
	}
	var reminders, jobs int
	if err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM reminder), (SELECT count(*) FROM river_job)`).Scan(&reminders, &jobs); err != nil ||
		reminders != 1 || jobs != 1 {
		t.Errorf("after the preview: %d reminder rows, %d River jobs (want the one seeded of each) (%v)", reminders, jobs, err)
	}
}

// TestPreviewHoldsInvoicesInACase: a legal case opened on 09-10 on A-1 and
// E-1 holds A-1's level 3 (C1's message lists A-2 alone, at level 1) but
// not E-1's provision step nor its proposal; a case closed on 09-11 holds
// nothing (C6's pre-due notice goes). E-1 has finished its ladder: no
// message would go out for it, so it is not listed as held.
func TestPreviewHoldsInvoicesInACase(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	if _, err := db.Exec(ctx, seed+`
WITH c AS (INSERT INTO legal_case (entity_id, client_id, procedure, currency, opened_on, opened_by)
           SELECT 1, id, 'injonction_de_payer', 'EUR', '2025-09-10', 'test' FROM client WHERE code IN ('C1', 'C5') RETURNING id, client_id)
INSERT INTO legal_case_invoice (case_id, invoice_id, claimed, held_from)
SELECT c.id, i.id, i.amount_incl_vat, '2025-09-10' FROM c JOIN invoice i ON i.client_id = c.client_id WHERE i.number IN ('A-1', 'E-1');
WITH c AS (INSERT INTO legal_case (entity_id, client_id, procedure, currency, opened_on, closed_on, outcome, opened_by)
           SELECT 1, id, 'agency', 'EUR', '2025-09-01', '2025-09-11', 'lost', 'test' FROM client WHERE code = 'C6' RETURNING id, client_id)
INSERT INTO legal_case_invoice (case_id, invoice_id, claimed, held_from, held_to)
SELECT c.id, i.id, i.amount_incl_vat, '2025-09-01', '2025-09-11' FROM c JOIN invoice i ON i.client_id = c.client_id;`); err != nil {
		t.Fatal(err)
	}
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, db, Options{Entity: "default", From: time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC), Days: 1,
		Sweeper: sweeper(set), Plans: set})
	if err != nil {
		t.Fatal(err)
	}
	fri := rep.Days[0]
	if len(fri.Messages) != 2 || fri.Messages[0].Template != "level1" || len(fri.Messages[0].Invoices) != 1 ||
		fri.Messages[0].Invoices[0].Number != "A-2" || fri.Messages[1].ClientCode != "C6" {
		t.Errorf("messages = %+v", fri.Messages)
	}
	if h := held(fri); h != "C1 A-1 case; C1 A-3 dispute; C2 B-1 min_amount; C3 G-1 promise; C4 D-1 insolvency" {
		t.Errorf("held back: %s", h)
	}
	if len(fri.Actions) != 1 || fri.Actions[0].Number != "E-1" {
		t.Errorf("actions = %+v, want E-1's provision", fri.Actions)
	}
	if got := proposed(fri); got != "C4 D-1 insolvency 10000 250000 EUR; C5 E-1 age 10000 333333 EUR" {
		t.Errorf("provisions: %s, want E-1's in court too", got)
	}
	var b strings.Builder
	if err := WriteText(&b, rep, "fr", set); err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(b.String())
	if !regexp.MustCompile(`(?m)^ +C1 A-1 +12 000,00 € +contentieux en cours$`).MatchString(text) {
		t.Errorf("the French preview does not name the case:\n%s", b.String())
	}
	nothingWritten(t, db, 8)
}

// TestPreviewDoesNotWaitForAnotherSessionsAnalyze: between two simulated
// days the preview analyses the tables the first day wrote (sql/analyze.sql),
// and the dashboard previews on a live database. A session that holds what
// ANALYZE needs (another preview's analysis, a vacuum) must not make this one
// wait: the table is skipped, and the report is the same.
func TestPreviewDoesNotWaitForAnotherSessionsAnalyze(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	if _, err := db.Exec(ctx, seed); err != nil {
		t.Fatal(err)
	}
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Entity: "default", From: time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC), Days: 3, Sweeper: sweeper(set), Plans: set}
	free, err := Run(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}

	other, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(ctx) //nolint:errcheck // the lock is only held
	if _, err := other.Exec(ctx, `LOCK TABLE reminder, provision IN SHARE UPDATE EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	// A bound for a preview that would wait for the lock forever, not a
	// measure of its time.
	bounded, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	locked, err := Run(bounded, db, opts)
	if err != nil {
		t.Fatalf("the preview waited for another session's lock: %v", err)
	}
	if fmt.Sprint(locked.Days) != fmt.Sprint(free.Days) {
		t.Errorf("with the statistics skipped the preview says\n%+v\nwithout\n%+v", locked.Days, free.Days)
	}
	nothingWritten(t, db, 8)
}
