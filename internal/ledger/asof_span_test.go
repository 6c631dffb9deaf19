package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/pgtest"
)

// randomLedger is two entities' clients with invoices, credit notes (some
// naming an invoice issued after them), payments and allocations of every
// source, dated at random from June to December 2025, with allocations
// dated before a side exists (so that counts_from is later than applied_on),
// in two currencies. The amounts need not add up: ledger_balance_entry and
// ledger_balance_span read the same columns and must agree whatever they hold.
const randomLedger = `
SELECT setseed(0.42);
INSERT INTO entity (code, name) VALUES ('E2', 'Deux SAS');
INSERT INTO client (entity_id, code, name)
SELECT 1 + n % 2, 'K' || n, 'Client ' || n FROM generate_series(1, 40) n;
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, settled, currency)
SELECT c.entity_id, c.id, 'F-' || n, d, d + (random() * 60)::int, a, (random() * a)::bigint * (n % 3 > 0)::int,
       CASE WHEN n % 7 = 0 THEN 'USD' ELSE 'EUR' END
FROM generate_series(1, 600) n
CROSS JOIN LATERAL (SELECT '2025-06-01'::date + (random() * 200)::int AS d, 1000 + (random() * 99000)::bigint AS a) x
JOIN client c ON c.code = 'K' || (1 + n % 40);
INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, amount_incl_vat, settled, applies_to_id, currency)
SELECT i.entity_id, i.client_id, 'AV-' || i.number, 'credit_note', d, d, -a, -(random() * a)::bigint * (i.id % 2)::int,
       CASE WHEN i.id % 5 = 0 THEN NULL ELSE i.id END, i.currency
FROM invoice i
CROSS JOIN LATERAL (SELECT i.issue_date + (random() * 60 - 30)::int AS d, 500 + (random() * 5000)::bigint AS a) x
WHERE i.id % 3 = 0;
INSERT INTO payment (entity_id, client_id, reference, received_on, amount, allocated, currency)
SELECT c.entity_id, c.id, 'VIR-' || n, '2025-06-01'::date + (random() * 200)::int, a, (random() * a)::bigint * (n % 4 > 0)::int,
       CASE WHEN n % 9 = 0 THEN 'USD' ELSE 'EUR' END
FROM generate_series(1, 300) n
CROSS JOIN LATERAL (SELECT 1000 + (random() * 50000)::bigint AS a) x
JOIN client c ON c.code = 'K' || (1 + n % 40);
INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on)
SELECT i.id, 'payment', p.id, 100 + (random() * 9000)::bigint, p.received_on + (random() * 40 - 10)::int
FROM payment p JOIN invoice i ON i.client_id = p.client_id AND i.kind = 'invoice' AND (i.id + p.id) % 4 = 0;
INSERT INTO allocation (invoice_id, source, credit_note_id, amount, applied_on)
SELECT cn.applies_to_id, 'credit_note', cn.id, 100 + (random() * 400)::bigint, cn.issue_date + (random() * 20 - 5)::int
FROM invoice cn WHERE cn.kind = 'credit_note' AND cn.applies_to_id IS NOT NULL AND cn.id % 2 = 0;
INSERT INTO allocation (invoice_id, source, amount, applied_on)
SELECT i.id, (ARRAY['import', 'snapshot_close', 'write_off'])[1 + i.id % 3], 100 + (random() * 900)::bigint,
       i.issue_date + (random() * 90)::int
FROM invoice i WHERE i.kind = 'invoice' AND i.id % 5 = 1`

// spanAgainstEntry counts, over every day from first to last ($3, the
// days as an array: the planner takes generate_series for a thousand
// rows and sizes its hashes for a million entries), the entries
// of ledger_balance_entry(day) missing from ledger_balance_span(first, last)
// restricted to the day, and the other way round, and how many entries the
// days hold in all.
const spanAgainstEntry = `
WITH day AS (SELECT d FROM unnest($3::date[]) d),
entry AS (
    SELECT day.d, e.document_id, e.payment_id, e.entity_id, e.client_id, e.kind, e.ages_from, e.currency, e.amount
    FROM day CROSS JOIN LATERAL ledger_balance_entry(day.d) e
),
span AS (
    SELECT day.d, s.document_id, s.payment_id, s.entity_id, s.client_id, s.kind, s.ages_from, s.currency, s.amount
    FROM day JOIN ledger_balance_span($1, $2) s ON s.valid_from <= day.d AND (s.valid_until IS NULL OR day.d < s.valid_until)
)
SELECT (SELECT count(*) FROM (SELECT * FROM entry EXCEPT ALL SELECT * FROM span) x),
       (SELECT count(*) FROM (SELECT * FROM span EXCEPT ALL SELECT * FROM entry) x),
       (SELECT count(*) FROM entry),
       (SELECT count(*) FROM entry WHERE kind = 'credit_note' AND ages_from IS NULL AND document_id IN
           (SELECT id FROM invoice WHERE applies_to_id IS NOT NULL))`

// The ledger on each day of a span, read at once, is the ledger read on
// that day: on every day of the second half of 2025, over the whole span,
// over a span that starts and ends inside the data, where the rows valid
// before or after it must be left out and none valid within it, and over
// short spans every week, whose first day is the last of many rows.
func TestBalanceSpanIsBalanceEntryOnEachDay(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	exec(t, db, randomLedger)
	spans := [][2]string{{"2025-06-01", "2026-01-31"}, {"2025-08-15", "2025-11-14"}}
	for d := clock.Date(2025, 6, 30); d.Before(clock.Date(2026, 1, 1)); d = d.AddDate(0, 0, 7) {
		spans = append(spans, [2]string{d.Format(time.DateOnly), d.AddDate(0, 0, 1).Format(time.DateOnly)})
	}
	for _, span := range spans {
		var missing, extra, entries, beforeTheirInvoice int64
		first, last := date(t, span[0]).(time.Time), date(t, span[1]).(time.Time)
		var days []time.Time
		for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
			days = append(days, d)
		}
		err := db.QueryRow(context.Background(), spanAgainstEntry, first, last, days).
			Scan(&missing, &extra, &entries, &beforeTheirInvoice)
		if err != nil {
			t.Fatal(err)
		}
		if missing != 0 || extra != 0 {
			t.Errorf("%s to %s: %d entries of ledger_balance_entry missing from the span, %d in the span only (of %d)",
				span[0], span[1], missing, extra, entries)
		}
		if entries == 0 {
			t.Errorf("%s to %s: no entries: the ledger does not test the span", span[0], span[1])
		}
		if span[0] == "2025-06-01" && beforeTheirInvoice == 0 {
			t.Error("no credit note is read before the invoice it names")
		}
		t.Logf("%s to %s: %d entries agree, %d of them credit notes before their invoice", span[0], span[1], entries, beforeTheirInvoice)
	}
}
