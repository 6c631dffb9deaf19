package preview

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// seed is a small French portfolio as of Friday 12 September 2025.
const seed = `
INSERT INTO client (entity_id, code, name, country) VALUES
  (1, 'C1', 'Alpha SARL', 'FR'), (1, 'C2', 'Beta SA', 'FR'), (1, 'C3', 'Gamma SAS', 'FR'),
  (1, 'C5', 'Epsilon SARL', 'FR'), (1, 'C6', 'Zeta SAS', 'FR');
INSERT INTO client (entity_id, code, name, country, insolvency_opened_on) VALUES (1, 'C4', 'Delta SA', 'FR', '2025-09-01');
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
INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status)
SELECT i.id, i.client_id, 'standard', v.step, v.level, 'email', v.step, v.day::date, 'sent'
FROM (VALUES ('A-1', 'level1', 1, '2025-07-15'), ('A-1', 'level2', 2, '2025-07-29'), ('A-3', 'level1', 1, '2025-08-04'),
  ('E-1', 'level1', 1, '2025-05-02'), ('E-1', 'level2', 2, '2025-05-16'), ('E-1', 'level3', 3, '2025-06-02'),
  ('E-1', 'level4', 4, '2025-06-16'), ('E-1', 'level5', 5, '2025-07-01'))
  v(number, step, level, day)
JOIN invoice i ON i.number = v.number;
`

func TestPreview(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	if _, err := db.Exec(ctx, seed); err != nil {
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
	rep, err := Run(ctx, db, Options{Entity: "default", From: time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC), Days: 4, Plans: set, Penalties: calc})
	if err != nil {
		t.Fatal(err)
	}
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
	if len(fri.Actions) != 1 || fri.Actions[0] != (Action{ClientCode: "C5", Number: "E-1", StepID: "provision", Action: "provision"}) {
		t.Errorf("Friday actions = %+v", fri.Actions)
	}
	for _, d := range rep.Days[1:] {
		if len(d.Actions) != 0 {
			t.Errorf("%s: the provision fired again: %+v", d.Date, d.Actions)
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
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM reminder`).Scan(&n); err != nil || n != 8 {
		t.Errorf("reminder rows = %d (%v), want the 8 seeded", n, err)
	}

	if _, err := Run(ctx, db, Options{Entity: "nope", From: time.Now(), Plans: set}); err == nil {
		t.Error("an unknown entity previewed")
	}
}

func held(d Day) string {
	var out []string
	for _, h := range d.Held {
		out = append(out, fmt.Sprintf("%s %s %s", h.ClientCode, h.Number, h.Reason))
	}
	return strings.Join(out, "; ")
}

// TestPreviewHoldsInvoicesInACase: a legal case opened on 09-10 on A-1 and
// E-1 holds A-1's level 3 (C1's message lists A-2 alone, at level 1) but
// not E-1's provision; a case closed on 09-11 holds nothing.
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
	rep, err := Run(ctx, db, Options{Entity: "default", From: time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC), Days: 1, Plans: set})
	if err != nil {
		t.Fatal(err)
	}
	fri := rep.Days[0]
	if len(fri.Messages) != 2 || fri.Messages[0].Template != "level1" || len(fri.Messages[0].Invoices) != 1 ||
		fri.Messages[0].Invoices[0].Number != "A-2" || fri.Messages[1].ClientCode != "C6" {
		t.Errorf("messages = %+v", fri.Messages)
	}
	// E-1 went through its ladder: listed as held by its case all the same,
	// as a dispute would list it.
	if h := held(fri); h != "C1 A-1 case; C1 A-3 dispute; C2 B-1 min_amount; C3 G-1 promise; C4 D-1 insolvency; C5 E-1 case" {
		t.Errorf("held back: %s", h)
	}
	if len(fri.Actions) != 1 || fri.Actions[0].Number != "E-1" {
		t.Errorf("actions = %+v, want E-1's provision", fri.Actions)
	}
}
