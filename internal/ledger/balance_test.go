package ledger_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

// The balances kept on write (client_balance, migration 00160) stay equal to
// the ledger as of D computed from scratch (ledger_client_balance, migration
// 00020) after a random mix of the writes that move them: invoice imports
// (new, re-imported with another amount or date, paid in part), snapshot
// closes, credit notes, payments with and without an invoice, manual
// allocations, disputes, write-offs and deletions, dated before and after
// each other so that the as-of replays of past days see allocations that do
// not count yet. Checked after every write, on days before, inside and after
// the writes' dates.
func TestKeptBalancesEqualTheLedgerFromScratch(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			f, s := newFixture(t)
			rng := rand.New(rand.NewPCG(seed, 16))
			w := &balanceWriter{t: t, f: f, s: s, rng: rng}
			for step := range 40 {
				what := w.write()
				w.check(fmt.Sprintf("step %d (%s)", step, what))
			}
			if w.invoices == 0 || w.payments == 0 {
				t.Fatalf("the mix wrote %d invoices and %d payments: it tests nothing", w.invoices, w.payments)
			}
		})
	}
}

type balanceWriter struct {
	t                  *testing.T
	f                  fixture
	s                  *ledger.Store
	rng                *rand.Rand
	numbers            []string // invoices written so far
	invoices, payments int      // rows applied
	refs               int
}

var balanceDays = []string{"2025-05-31", "2025-06-15", "2025-07-01", "2025-07-20", "2025-08-10", "2025-09-01", "2025-12-31"}

func (w *balanceWriter) day() time.Time {
	return d("2025-06-01").AddDate(0, 0, w.rng.IntN(90))
}

func (w *balanceWriter) client() string { return fmt.Sprintf("K%d", 1+w.rng.IntN(5)) }

func (w *balanceWriter) number() string {
	if len(w.numbers) > 0 && w.rng.IntN(3) == 0 {
		return w.numbers[w.rng.IntN(len(w.numbers))]
	}
	n := fmt.Sprintf("F-%03d", len(w.numbers)+1)
	w.numbers = append(w.numbers, n)
	return n
}

// write applies one random write and names it.
func (w *balanceWriter) write() string {
	by := ledger.Act{Actor: "test", Day: w.day()}
	switch w.rng.IntN(8) {
	case 0, 1, 2:
		return w.importInvoices(by, false)
	case 3:
		return w.importInvoices(by, true)
	case 4, 5:
		return w.importPayments(by)
	case 6:
		return w.settleByHand(by)
	default:
		return w.deleteOrMove()
	}
}

func (w *balanceWriter) importInvoices(by ledger.Act, snapshot bool) string {
	var rows []ledger.BatchInvoice
	seen := map[string]bool{}
	for i := range 1 + w.rng.IntN(6) {
		n := w.number()
		if seen[n] {
			continue
		}
		seen[n] = true
		issued := w.day()
		r := ledger.BatchInvoice{Line: i + 1, Number: n, ClientCode: w.client(), Issued: issued, Due: issued.AddDate(0, 0, 30),
			Amount: money.Amount(1000 * (1 + w.rng.IntN(50))), Currency: "EUR", Kind: "invoice"}
		if w.rng.IntN(3) == 0 {
			r.Paid = ptr(money.Amount(w.rng.IntN(int(r.Amount) + 1)))
		}
		rows = append(rows, r)
	}
	if len(w.numbers) > 0 && w.rng.IntN(3) == 0 {
		target := w.numbers[w.rng.IntN(len(w.numbers))]
		if !seen[target] {
			issued := w.day()
			rows = append(rows, ledger.BatchInvoice{Line: len(rows) + 1, Number: fmt.Sprintf("AV-%03d", len(w.numbers)), ClientCode: w.client(),
				Issued: issued, Due: issued, Amount: money.Amount(-500 * (1 + w.rng.IntN(10))), Currency: "EUR", Kind: "credit_note",
				AppliesTo: ptr(target)})
		}
	}
	if _, problems := applyInvoicesAsOf(w.t, w.f, w.s, by, time.Time{}, snapshot, rows...); len(problems) > 0 {
		return fmt.Sprintf("invoices refused: %v", problems[0])
	}
	w.invoices += len(rows)
	if snapshot {
		return fmt.Sprintf("snapshot of %d invoices", len(rows))
	}
	return fmt.Sprintf("%d invoices", len(rows))
}

func (w *balanceWriter) importPayments(by ledger.Act) string {
	ctx := context.Background()
	var rows []ledger.BatchPayment
	for i := range 1 + w.rng.IntN(4) {
		w.refs++
		r := ledger.BatchPayment{Line: i + 1, Received: w.day(), Amount: money.Amount(500 * (1 + w.rng.IntN(40))),
			Reference: ptr(fmt.Sprintf("VIR-%03d", w.refs)), Currency: "EUR", Client: ptr(w.client())}
		if len(w.numbers) > 0 && w.rng.IntN(4) > 0 {
			r.Invoice, r.Client = ptr(w.numbers[w.rng.IntN(len(w.numbers))]), nil
		}
		rows = append(rows, r)
	}
	tx, err := w.f.pool.Begin(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	b, err := w.s.StagePayments(ctx, tx)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := b.Copy(ctx, copySource(rows, (*ledger.BatchPayment).Values)); err != nil {
		w.t.Fatal(err)
	}
	if problems, err := b.Problems(ctx); err != nil || len(problems) > 0 {
		if err != nil {
			w.t.Fatal(err)
		}
		return fmt.Sprintf("payments refused: %v", problems[0])
	}
	if _, err := b.Apply(ctx, by, ledger.BatchSource{Name: "bank.csv", Format: "csv"}); err != nil {
		w.t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		w.t.Fatal(err)
	}
	w.payments += len(rows)
	return fmt.Sprintf("%d payments", len(rows))
}

// settleByHand allocates a payment, opens a dispute or writes an invoice off:
// the ledger's one-at-a-time writes. A refusal (nothing left to allocate, a
// paid invoice) is a write that did not happen, which is fine here.
func (w *balanceWriter) settleByHand(by ledger.Act) string {
	ctx := context.Background()
	if len(w.numbers) == 0 {
		return "nothing to settle"
	}
	n := w.numbers[w.rng.IntN(len(w.numbers))]
	switch w.rng.IntN(3) {
	case 0:
		if w.refs == 0 {
			return "no payment"
		}
		ref := fmt.Sprintf("VIR-%03d", 1+w.rng.IntN(w.refs))
		_, err := w.s.Allocate(ctx, by, ledger.AllocationRequest{Invoice: n, PaymentReference: ref})
		return fmt.Sprintf("allocate %s to %s: %v", ref, n, err)
	case 1:
		_, err := w.s.OpenDispute(ctx, by, ledger.DisputeOpening{Invoice: n, Reason: "price"})
		return fmt.Sprintf("dispute %s: %v", n, err)
	default:
		_, err := w.s.WriteOff(ctx, by, n, ledger.WriteOffOptions{Reason: "debtor gone", DefaultVATBP: 2000})
		return fmt.Sprintf("write off %s: %v", n, err)
	}
}

// deleteOrMove does what no ledger method does but a database allows: an
// invoice re-dated, moved to another client, or deleted with what hangs on
// it; and a payment re-dated.
func (w *balanceWriter) deleteOrMove() string {
	switch w.rng.IntN(4) {
	case 0:
		w.f.exec(`UPDATE invoice SET issue_date = issue_date + $1::int WHERE id IN (SELECT id FROM invoice ORDER BY random() LIMIT 2)`, w.rng.IntN(61)-30)
		return "invoices re-dated"
	case 1:
		w.f.exec(`UPDATE payment SET received_on = received_on + $1::int WHERE id IN (SELECT id FROM payment ORDER BY random() LIMIT 2)`, w.rng.IntN(61)-30)
		return "payments re-dated"
	case 2:
		w.f.exec(`UPDATE invoice SET client_id = (SELECT id FROM client ORDER BY random() LIMIT 1)
			WHERE id = (SELECT id FROM invoice WHERE kind = 'invoice' ORDER BY random() LIMIT 1)`)
		return "invoice moved"
	default:
		w.f.exec(`WITH victim AS (SELECT id FROM invoice WHERE kind = 'invoice' AND id NOT IN (SELECT applies_to_id FROM invoice WHERE applies_to_id IS NOT NULL)
			ORDER BY random() LIMIT 1), gone AS (DELETE FROM allocation WHERE invoice_id IN (SELECT id FROM victim) RETURNING payment_id, amount),
			back AS (UPDATE payment p SET allocated = p.allocated - g.amount FROM (SELECT payment_id, sum(amount) AS amount FROM gone GROUP BY 1) g WHERE p.id = g.payment_id)
			DELETE FROM invoice WHERE id IN (SELECT id FROM victim)`)
		return "invoice deleted"
	}
}

// check compares the kept balances with the ledger from scratch: the table
// with a plain sum of today's stored balances, and ledger_client_net(D) with
// ledger_client_balance(D) on every day of balanceDays.
func (w *balanceWriter) check(after string) {
	w.t.Helper()
	ctx := context.Background()
	rows, err := w.f.pool.Query(ctx, `
		SELECT coalesce(k.client_id, x.client_id), coalesce(k.documents, 0), coalesce(x.documents, 0), coalesce(k.payments, 0), coalesce(x.payments, 0)
		FROM client_balance k
		FULL JOIN (SELECT client_id, sum(d)::bigint AS documents, sum(p)::bigint AS payments
		           FROM (SELECT client_id, outstanding AS d, 0 AS p FROM invoice UNION ALL SELECT client_id, 0, unallocated FROM payment) e
		           GROUP BY client_id) x ON x.client_id = k.client_id
		WHERE coalesce(k.documents, 0) <> coalesce(x.documents, 0) OR coalesce(k.payments, 0) <> coalesce(x.payments, 0)`)
	if err != nil {
		w.t.Fatal(err)
	}
	if diff := collectDiffs(w.t, rows); diff != "" {
		w.t.Fatalf("after %s: client_balance (kept, scratch): %s", after, diff)
	}
	for _, day := range balanceDays {
		rows, err := w.f.pool.Query(ctx, `
			SELECT coalesce(k.client_id, x.client_id), coalesce(k.documents, 0), coalesce(x.documents, 0), coalesce(k.net, 0), coalesce(x.net, 0)
			FROM ledger_client_net($1) k FULL JOIN ledger_client_balance($1) x ON x.client_id = k.client_id
			WHERE coalesce(k.documents, 0) <> coalesce(x.documents, 0) OR coalesce(k.payments, 0) <> coalesce(x.payments, 0)
			   OR coalesce(k.net, 0) <> coalesce(x.net, 0)`, d(day))
		if err != nil {
			w.t.Fatal(err)
		}
		if diff := collectDiffs(w.t, rows); diff != "" {
			w.t.Fatalf("after %s, as of %s: (client, kept documents, scratch documents, kept net, scratch net): %s", after, day, diff)
		}
	}
}

func collectDiffs(t *testing.T, rows pgx.Rows) string {
	t.Helper()
	var out string
	for rows.Next() {
		var id, a, b, c, e int64
		if err := rows.Scan(&id, &a, &b, &c, &e); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("[%d: %d %d %d %d] ", id, a, b, c, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBulkFirstImportKeepsBalancesAndWakeDays: a first import by the bulk
// path (migration 00130: invoice's indexes and keys dropped, one plain
// INSERT … SELECT, settlements, rebuild) leaves the kept balances equal to
// the ledger from scratch and every invoice awake for the next sweep, as the
// row-by-row path does.
func TestBulkFirstImportKeepsBalancesAndWakeDays(t *testing.T) {
	f, _ := newFixture(t)
	s := ledger.New(f.pool, ledger.Options{BulkMinRows: 1})
	a, problems := applyInvoices(t, f, s, by("2025-09-01"), false, firstImport()...)
	if len(problems) > 0 || !a.Bulk {
		t.Fatalf("first import: bulk %v, problems %v; want the bulk path", a.Bulk, problems)
	}
	w := &balanceWriter{t: t, f: f, s: s}
	w.check("a first import by the bulk path")
	var open, balances, asleep int
	if err := f.pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM invoice WHERE outstanding > 0),
		(SELECT count(*) FROM client_balance WHERE documents <> 0),
		(SELECT count(*) FROM sweep_wake WHERE wake_on = 'infinity')`).Scan(&open, &balances, &asleep); err != nil {
		t.Fatal(err)
	}
	if open == 0 || balances == 0 || asleep == 0 {
		t.Fatalf("%d open invoices, %d clients with a kept balance, %d invoices paid in the file: the import tests nothing", open, balances, asleep)
	}
	// Every invoice has its wake row: an open one is read on the next sweep,
	// one paid in the file or excluded sleeps; no credit note has one.
	rows, err := f.pool.Query(context.Background(), `
		SELECT i.number || ' ' || i.kind || ' ' || i.outstanding || ' ' || coalesce(w.wake_on::text, 'none')
		FROM invoice i LEFT JOIN sweep_wake w ON w.invoice_id = i.id
		WHERE CASE WHEN i.kind <> 'invoice' THEN w.invoice_id IS NOT NULL
		           WHEN i.excluded OR i.outstanding <= 0 THEN w.wake_on IS DISTINCT FROM 'infinity'
		           ELSE w.wake_on IS DISTINCT FROM '-infinity' END
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(wrong) > 0 {
		t.Errorf("wake days after the bulk path (number, kind, wake): %v", wrong)
	}
}
