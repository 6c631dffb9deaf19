package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/pgtest"
)

func exec(t *testing.T, db *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := db.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// asOf is what the as-of functions say of client K1 on a day: its open
// documents ("number open ages_from"), its open payments ("reference open")
// and its net balance.
type asOf struct {
	documents, payments string
	net                 int64
}

func readAsOf(t *testing.T, db *pgxpool.Pool, day string) asOf {
	t.Helper()
	ctx := context.Background()
	d := date(t, day)
	var out asOf
	rows, err := db.Query(ctx, `SELECT number || ' ' || open || ' ' || coalesce(ages_from::text, '-')
		FROM ledger_open_document($1) ORDER BY number`, d)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	rows, err = db.Query(ctx, `SELECT reference || ' ' || open FROM ledger_open_payment($1) ORDER BY reference`, d)
	if err != nil {
		t.Fatal(err)
	}
	pays, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT coalesce(sum(net), 0)::bigint FROM ledger_client_balance($1)`, d).Scan(&out.net); err != nil {
		t.Fatal(err)
	}
	out.documents, out.payments = strings.Join(docs, "; "), strings.Join(pays, "; ")
	return out
}

func date(t *testing.T, s string) any {
	t.Helper()
	d, err := clock.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// acompte is a deposit of 500.00 received on 5 October and an invoice of
// 1,200.00 issued on 3 November that it settles in part (the allocation is
// inserted apart).
const acompte = `
INSERT INTO client (entity_id, code, name) VALUES (1, 'K1', 'Kappa SAS');
INSERT INTO payment (entity_id, client_id, reference, received_on, amount, allocated)
SELECT 1, id, 'ACOMPTE', '2025-10-05', 50000, 50000 FROM client;
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, settled)
SELECT 1, id, 'F-1103', '2025-11-03', '2025-12-03', 120000, 50000 FROM client`

// The acompte of issue 11: a deposit of 500.00 received on 5 October and
// allocated to an invoice issued on 3 November. On 31 October the client has
// 500.00 of unapplied cash and no invoice; from 3 November the invoice is
// open for the rest. The payments import dates the allocation with the
// payment (5 October), an ERP may date it with the invoice: both read alike.
func TestAcompteIsUnappliedCashUntilTheInvoiceExists(t *testing.T) {
	for _, appliedOn := range []string{"2025-10-05", "2025-11-03"} {
		t.Run("applied "+appliedOn, func(t *testing.T) {
			db := pgtest.NewDB(t)
			exec(t, db, acompte)
			exec(t, db, `INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on)
SELECT i.id, 'payment', p.id, 50000, $1 FROM invoice i, payment p`, date(t, appliedOn))
			for _, c := range []struct {
				day  string
				want asOf
			}{
				{"2025-10-04", asOf{}},
				{"2025-10-31", asOf{payments: "ACOMPTE 50000", net: -50000}},
				{"2025-11-03", asOf{documents: "F-1103 70000 2025-12-03", net: 70000}},
				{"2026-01-31", asOf{documents: "F-1103 70000 2025-12-03", net: 70000}},
			} {
				if got := readAsOf(t, db, c.day); got != c.want {
					t.Errorf("%s: %+v, want %+v", c.day, got, c.want)
				}
			}
		})
	}
}

// The same with a credit note: an avoir issued on 5 October naming an
// invoice issued on 3 November is, on 31 October, a credit that applies to
// nothing yet (no due date to age it with).
func TestCreditNoteBeforeItsInvoiceIsUnappliedCredit(t *testing.T) {
	db := pgtest.NewDB(t)
	exec(t, db, `
INSERT INTO client (entity_id, code, name) VALUES (1, 'K1', 'Kappa SAS');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, settled)
SELECT 1, id, 'F-1103', '2025-11-03', '2025-12-03', 120000, 50000 FROM client;
INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, amount_incl_vat, settled, applies_to_id)
SELECT 1, c.id, 'AV-1005', 'credit_note', '2025-10-05', '2025-10-05', -50000, -50000, i.id FROM client c, invoice i;
INSERT INTO allocation (invoice_id, source, credit_note_id, amount, applied_on)
SELECT i.id, 'credit_note', cn.id, 50000, '2025-10-05' FROM invoice i, invoice cn WHERE i.number = 'F-1103' AND cn.number = 'AV-1005'`)
	if got, want := readAsOf(t, db, "2025-10-31"), (asOf{documents: "AV-1005 -50000 -", net: -50000}); got != want {
		t.Errorf("31 October: %+v, want %+v", got, want)
	}
	if got, want := readAsOf(t, db, "2025-11-03"), (asOf{documents: "F-1103 70000 2025-12-03", net: 70000}); got != want {
		t.Errorf("3 November: %+v, want %+v", got, want)
	}
}

// A client's net balance on a past day adds back the payments and credit
// notes allocated after it, on both sides: the invoice is open again, the
// payment and the credit note hold their unapplied amount again. And a
// payment dated after the day does not settle anything yet, whatever date
// its allocation carries.
func TestNetBalanceOnAPastDay(t *testing.T) {
	db := pgtest.NewDB(t)
	exec(t, db, `
INSERT INTO client (entity_id, code, name) VALUES (1, 'K1', 'Kappa SAS');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, settled)
SELECT 1, id, 'F-1', '2025-08-01', '2025-08-31', 100000, 100000 FROM client;
INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, amount_incl_vat, settled, applies_to_id)
SELECT 1, c.id, 'AV-1', 'credit_note', '2025-09-02', '2025-09-02', -10000, -10000, i.id FROM client c, invoice i;
INSERT INTO payment (entity_id, client_id, reference, received_on, amount, allocated)
SELECT 1, id, 'VIR-1', '2025-09-05', 60000, 60000 FROM client;
INSERT INTO payment (entity_id, client_id, reference, received_on, amount, allocated)
SELECT 1, id, 'VIR-2', '2025-09-20', 30000, 30000 FROM client;
INSERT INTO allocation (invoice_id, source, credit_note_id, amount, applied_on)
SELECT i.id, 'credit_note', cn.id, 10000, '2025-09-15' FROM invoice i, invoice cn WHERE i.number = 'F-1' AND cn.number = 'AV-1';
INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on)
SELECT i.id, 'payment', p.id, 60000, '2025-09-12' FROM invoice i, payment p WHERE i.number = 'F-1' AND p.reference = 'VIR-1';
-- dated before its payment was received (a data-entry slip)
INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on)
SELECT i.id, 'payment', p.id, 30000, '2025-09-16' FROM invoice i, payment p WHERE i.number = 'F-1' AND p.reference = 'VIR-2'`)
	for _, c := range []struct {
		day  string
		want asOf
	}{
		// everything open, the credit note aged with F-1
		{"2025-09-10", asOf{documents: "AV-1 -10000 2025-08-31; F-1 100000 2025-08-31", payments: "VIR-1 60000", net: 30000}},
		{"2025-09-12", asOf{documents: "AV-1 -10000 2025-08-31; F-1 40000 2025-08-31", net: 30000}},
		{"2025-09-15", asOf{documents: "F-1 30000 2025-08-31", net: 30000}},
		// VIR-2's allocation is dated 16 September, the payment 20 September
		{"2025-09-17", asOf{documents: "F-1 30000 2025-08-31", net: 30000}},
		{"2025-09-20", asOf{}},
	} {
		if got := readAsOf(t, db, c.day); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.day, got, c.want)
		}
	}
}

// What counts later touches only its own documents: a payment allocated in
// October to K2 changes nothing of 30 September.
func TestLateAllocationsTouchOnlyTheirDocuments(t *testing.T) {
	db := pgtest.NewDB(t)
	exec(t, db, `
INSERT INTO client (entity_id, code, name) VALUES (1, 'K1', 'Kappa SAS'), (1, 'K2', 'Lambda SA');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, settled)
SELECT 1, id, 'F-' || code, '2025-08-01', '2025-08-31', 100000, 25000 FROM client;
INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, amount_incl_vat, applies_to_id)
SELECT 1, i.client_id, 'AV-' || i.number, 'credit_note', '2025-08-10', '2025-08-10', -5000, i.id FROM invoice i;
INSERT INTO payment (entity_id, client_id, reference, received_on, amount)
SELECT 1, id, 'VIR-' || code, '2025-09-01', 7000 FROM client;
INSERT INTO allocation (invoice_id, source, amount, applied_on) SELECT id, 'import', 25000, '2025-08-20' FROM invoice WHERE kind = 'invoice'`)
	today := readAsOf(t, db, "2025-09-30")
	// A payment allocated in October to K2 makes every day before it a replay.
	exec(t, db, `
INSERT INTO payment (entity_id, client_id, reference, received_on, amount, allocated) SELECT 1, id, 'VIR-OCT', '2025-10-02', 1000, 1000 FROM client WHERE code = 'K2';
INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on)
SELECT i.id, 'payment', p.id, 1000, '2025-10-02' FROM invoice i JOIN payment p ON p.client_id = i.client_id WHERE p.reference = 'VIR-OCT' AND i.kind = 'invoice';
UPDATE invoice SET settled = settled + 1000 WHERE number = 'F-K2'`)
	if late := readAsOf(t, db, "2025-09-30"); late != today {
		t.Errorf("with an October payment %+v, before it %+v", late, today)
	}
	want := "AV-F-K1 -5000 2025-08-31; AV-F-K2 -5000 2025-08-31; F-K1 75000 2025-08-31; F-K2 75000 2025-08-31"
	if today.documents != want || today.payments != "VIR-K1 7000; VIR-K2 7000" || today.net != 126000 {
		t.Errorf("2025-09-30: %+v", today)
	}
}

func TestOpenDisputes(t *testing.T) {
	db := pgtest.NewDB(t)
	exec(t, db, `
INSERT INTO client (entity_id, code, name) VALUES (1, 'K1', 'Kappa SAS');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
SELECT 1, id, 'F-' || n, '2025-08-01', '2025-08-31', 100000 FROM client, generate_series(1, 3) n;
INSERT INTO dispute (invoice_id, reason, opened_on, resolved_on) SELECT id, 'price', '2025-09-01', '2025-09-10' FROM invoice WHERE number = 'F-1';
INSERT INTO dispute (invoice_id, reason, opened_on, until) SELECT id, 'quality', '2025-09-05', '2025-09-20' FROM invoice WHERE number = 'F-2';
INSERT INTO dispute (invoice_id, reason, opened_on) SELECT id, 'delivery', '2025-09-08' FROM invoice WHERE number = 'F-3'`)
	for day, want := range map[string]string{
		"2025-08-31": "",
		"2025-09-01": "F-1 price",
		"2025-09-09": "F-1 price; F-2 quality; F-3 delivery",
		"2025-09-10": "F-2 quality; F-3 delivery", // resolved that day
		"2025-09-20": "F-2 quality; F-3 delivery", // until is inclusive
		"2025-09-21": "F-3 delivery",
	} {
		rows, err := db.Query(context.Background(), `SELECT i.number || ' ' || x.reason FROM ledger_open_dispute($1) x
			JOIN invoice i ON i.id = x.invoice_id ORDER BY 1`, date(t, day))
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if s := strings.Join(got, "; "); s != want {
			t.Errorf("%s: %q, want %q", day, s, want)
		}
	}
}

// Every as-of function must be inlined by the planner: a set-returning SQL
// function, STABLE, without SET or STRICT; and no plan of a call shows a
// Function Scan.
func TestAsOfFunctionsAreInlined(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	for _, fn := range ledger.AsOfFunctions {
		var lang, volatile string
		var strict, retset, config bool
		var days int
		err := db.QueryRow(ctx, `SELECT l.lanname, p.provolatile::text, p.proisstrict, p.proretset, p.proconfig IS NOT NULL, p.pronargs
			FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.proname = $1`, fn).Scan(&lang, &volatile, &strict, &retset, &config, &days)
		if err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
		if lang != "sql" || volatile != "s" || strict || !retset || config {
			t.Errorf("%s: language %s, volatility %s, strict %v, returns set %v, SET clause %v: not inlinable",
				fn, lang, volatile, strict, retset, config)
		}
		params := strings.TrimSuffix(strings.Repeat("$1::date, ", days), ", ") // a day, or the first and last of a span
		plan := explain(t, db, fmt.Sprintf("SELECT * FROM %s(%s)", fn, params), date(t, "2025-09-12"))
		if strings.Contains(plan, "Function Scan") {
			t.Errorf("%s is not inlined:\n%s", fn, plan)
		}
	}
}

func explain(t *testing.T, db *pgxpool.Pool, sql string, args ...any) string {
	t.Helper()
	var plan []map[string]any
	if err := db.QueryRow(context.Background(), "EXPLAIN (FORMAT JSON) "+sql, args...).Scan(&plan); err != nil {
		t.Fatalf("explain %s: %v", sql, err)
	}
	b, _ := json.MarshalIndent(plan, "", " ")
	return string(b)
}

// When a date of either side changes (a corrected import), or the
// allocation itself is moved, the day it counts from follows.
func TestRedatingMovesTheDayAnAllocationCounts(t *testing.T) {
	db := pgtest.NewDB(t)
	exec(t, db, acompte)
	exec(t, db, `INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on)
SELECT i.id, 'payment', p.id, 50000, '2025-10-05' FROM invoice i, payment p`)
	countsOn := func() string {
		t.Helper()
		var d string
		if err := db.QueryRow(context.Background(), `SELECT coalesce(counts_from, applied_on)::text FROM allocation`).Scan(&d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct{ change, want string }{
		{"", "2025-11-03"},
		{"UPDATE invoice SET issue_date = '2025-10-01'", "2025-10-05"},
		{"UPDATE payment SET received_on = '2025-10-20'", "2025-10-20"},
		{"UPDATE allocation SET applied_on = '2025-10-25'", "2025-10-25"},
		{"UPDATE invoice SET issue_date = '2025-10-30'", "2025-10-30"},
	} {
		if c.change != "" {
			exec(t, db, c.change)
		}
		if got := countsOn(); got != c.want {
			t.Errorf("after %q: counts from %s, want %s", c.change, got, c.want)
		}
	}
	if got := readAsOf(t, db, "2025-10-29"); got != (asOf{payments: "ACOMPTE 50000", net: -50000}) {
		t.Errorf("29 October: %+v", got)
	}
}
