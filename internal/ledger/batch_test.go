package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

func ptr[T any](v T) *T { return &v }

// copySource turns rows into a COPY source, as an API body would be.
func copySource[R any](rows []R, values func(*R, []any) []any) pgx.CopyFromSource {
	return pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) { return values(&rows[i], nil), nil })
}

// rowsOf gives rows to InvoiceBatch.Copy one at a time.
func rowsOf(rows []ledger.BatchInvoice) func() *ledger.BatchInvoice {
	i := 0
	return func() *ledger.BatchInvoice {
		if i == len(rows) {
			return nil
		}
		i++
		return &rows[i-1]
	}
}

// applyInvoices stages rows in a transaction of its own and applies them,
// as a writer of the ledger does; it returns what Problems said when it
// said something, and then applies nothing.
func applyInvoices(t *testing.T, f fixture, s *ledger.Store, by ledger.Act, snapshot bool, rows ...ledger.BatchInvoice) (ledger.Applied, []ledger.RowProblem) {
	t.Helper()
	return applyInvoicesAsOf(t, f, s, by, time.Time{}, snapshot, rows...)
}

// applyInvoicesAsOf is applyInvoices with the as-of of the batch's data
// (zero: the moment it is applied).
func applyInvoicesAsOf(t *testing.T, f fixture, s *ledger.Store, by ledger.Act, asOf time.Time, snapshot bool, rows ...ledger.BatchInvoice) (ledger.Applied, []ledger.RowProblem) {
	t.Helper()
	ctx := context.Background()
	tx, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	b := stageIn(t, tx, s, rows)
	problems, err := b.Problems(ctx, nil)
	if err != nil || len(problems) > 0 {
		if err != nil {
			t.Fatal(err)
		}
		return ledger.Applied{}, problems
	}
	a, err := b.Apply(ctx, by, ledger.BatchSource{Name: "api", Format: "json", AsOf: asOf}, snapshot)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return a, nil
}

// stageIn opens an invoice batch in tx and stages rows in it.
func stageIn(t *testing.T, tx pgx.Tx, s *ledger.Store, rows []ledger.BatchInvoice) *ledger.InvoiceBatch {
	t.Helper()
	b, err := s.StageInvoices(context.Background(), tx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Copy(context.Background(), rowsOf(rows)); err != nil {
		t.Fatal(err)
	}
	return b
}

// applyPayments stages rows in a transaction of its own and applies them;
// the rows must raise no problem.
func applyPayments(t *testing.T, f fixture, s *ledger.Store, by ledger.Act, rows ...ledger.BatchPayment) ledger.Applied {
	t.Helper()
	return applyPaymentsAsOf(t, f, s, by, time.Time{}, rows...)
}

// applyPaymentsAsOf is applyPayments with the as-of of the batch's data
// (zero: the moment it is applied).
func applyPaymentsAsOf(t *testing.T, f fixture, s *ledger.Store, by ledger.Act, asOf time.Time, rows ...ledger.BatchPayment) ledger.Applied {
	t.Helper()
	ctx := context.Background()
	tx, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	b, err := s.StagePayments(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Copy(ctx, copySource(rows, (*ledger.BatchPayment).Values)); err != nil {
		t.Fatal(err)
	}
	if problems, err := b.Problems(ctx); err != nil || len(problems) > 0 {
		t.Fatal(problems, err)
	}
	a, err := b.Apply(ctx, by, ledger.BatchSource{Name: "bank.csv", Format: "csv", AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return a
}

func invoiceRow(line int, number, client string, amount money.Amount) ledger.BatchInvoice {
	return ledger.BatchInvoice{Line: line, Number: number, ClientCode: client, Issued: d("2025-08-01"), Due: d("2025-08-31"),
		Amount: amount, Currency: "EUR", Kind: "invoice"}
}

// A batch writes clients, invoices, `paid` and credit notes in one go, with
// one event for the whole batch; the same batch again changes nothing.
func TestInvoiceBatch(t *testing.T) {
	f, s := newFixture(t)
	paid := invoiceRow(2, "F-2", "C1", 50000)
	paid.Paid = ptr(money.Amount(20000))
	credit := invoiceRow(3, "AV-1", "C1", -10000)
	credit.Kind, credit.AppliesTo = "credit_note", ptr("F-1")
	first := invoiceRow(1, "F-1", "C1", 120000)
	first.Client = ledger.ClientPatch{Name: ptr("Boulangerie Martin"), Country: ptr("Allemagne"),
		Emails: &[]string{"Compta <compta@martin.example>; paul@martin.example"}, SIRET: ptr("732 829 320 00074")}
	if err := first.Client.Normalize(); err != nil {
		t.Fatal(err)
	}
	rows := []ledger.BatchInvoice{first, paid, credit}

	a, problems := applyInvoices(t, f, s, by("2025-09-10"), false, rows...)
	if problems != nil {
		t.Fatalf("problems: %+v", problems)
	}
	if a.Rows != 3 || a.Created != 3 || a.Updated != 0 || a.ClientsCreated != 1 || a.Batch == 0 {
		t.Errorf("applied %+v", a)
	}
	c, err := s.Client(context.Background(), "C1", d("2025-09-10"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Boulangerie Martin" || c.Country != "DE" || c.SIREN != "732829320" || len(c.Emails) != 2 {
		t.Errorf("client %+v", c)
	}
	open := map[string]money.Amount{}
	invoices, err := s.Invoices(context.Background(), "C1", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range invoices {
		open[i.Number] = i.Outstanding
	}
	if open["F-1"] != 110000 || open["F-2"] != 30000 || open["AV-1"] != 0 {
		t.Errorf("outstanding %v", open)
	}

	again, _ := applyInvoices(t, f, s, by("2025-09-11"), false, rows...)
	if again.Created != 0 || again.Updated != 0 || again.ClientsUpdated != 0 {
		t.Errorf("the same batch again: %+v", again)
	}

	// One event a batch, by who applied it, on its day, with the counts.
	var n int
	var actor, day string
	var detail []byte
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) OVER (), actor, day::text, detail FROM event
		WHERE kind = 'invoices_batch' ORDER BY id LIMIT 1`).Scan(&n, &actor, &day, &detail); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(detail, &got); err != nil {
		t.Fatal(err)
	}
	if n != 2 || actor != "cli:alice" || day != "2025-09-10" || got["created"] != 3.0 || got["clients_created"] != 1.0 || got["source"] != "api" {
		t.Errorf("events: %d, first by %s on %s: %s", n, actor, day, detail)
	}
}

// What needs the whole batch is refused by line, with the words a file
// import shows.
func TestInvoiceBatchProblems(t *testing.T) {
	f, s := newFixture(t)
	credit := invoiceRow(3, "AV-1", "C1", -100)
	credit.Kind, credit.AppliesTo = "credit_note", ptr("NOPE")
	_, problems := applyInvoices(t, f, s, by("2025-09-10"), false,
		invoiceRow(1, "F-1", "C1", 100), invoiceRow(2, "F-1", "C1", 200), credit, invoiceRow(4, "F-1", "C1", 100))
	want := []ledger.RowProblem{
		{Line: 2, Field: "number", Reason: `duplicate invoice "F-1" (first on line 1) with a different amount, client or kind`},
		{Line: 4, Field: "number", Reason: `duplicate invoice "F-1" (first on line 1) with a different amount, client or kind`},
		{Line: 3, Field: "applies_to", Reason: `invoice "NOPE" is neither in this import nor in the ledger`},
	}
	if len(problems) != len(want) {
		t.Fatalf("problems %+v", problems)
	}
	for i := range want {
		if problems[i] != want[i] {
			t.Errorf("problem %d = %+v, want %+v", i, problems[i], want[i])
		}
	}
	var n int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM invoice`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d invoices written (%v)", n, err)
	}
}

// A batch past the number filter's start (numberFilter: the duplicate
// check then reads only the numbers that may be listed twice) finds the
// same duplicates as over the whole batch: a conflicting repeat with its
// first line before the filter starts, one with both lines after, and an
// exact repeat, dropped, whose two rows would otherwise make the upsert
// refuse the batch.
func TestDuplicatesFoundPastTheNumberFilter(t *testing.T) {
	f, s := newFixture(t)
	rows := make([]ledger.BatchInvoice, 6000)
	for i := range rows {
		rows[i] = invoiceRow(i+1, fmt.Sprintf("F-%d", i+1), "C1", 100)
	}
	rows[4999].Number, rows[4999].Amount = "F-10", 200        // line 5000 says F-10 (line 10) again, differently
	rows[5499].Number, rows[5499].ClientCode = "F-4500", "C2" // line 5500, F-4500 of line 4500
	repeat := rows[19]
	repeat.Line = 6000
	rows[5999] = repeat // line 6000 repeats line 20 exactly
	_, problems := applyInvoices(t, f, s, by("2025-09-10"), false, rows...)
	want := []ledger.RowProblem{
		{Line: 5000, Field: "number", Reason: `duplicate invoice "F-10" (first on line 10) with a different amount, client or kind`},
		{Line: 5500, Field: "number", Reason: `duplicate invoice "F-4500" (first on line 4500) with a different amount, client or kind`},
	}
	if !slices.Equal(problems, want) {
		t.Fatalf("problems %+v, want %+v", problems, want)
	}
	rows[4999], rows[5499] = invoiceRow(5000, "F-5000", "C1", 100), invoiceRow(5500, "F-5500", "C1", 100)
	a, problems := applyInvoices(t, f, s, by("2025-09-10"), false, rows...)
	if len(problems) > 0 || a.Created != 5999 {
		t.Fatalf("applied %+v, problems %+v; want 5,999 invoices, the exact repeat dropped", a, problems)
	}
}

// A payments batch allocates in date order and keeps the rest unapplied,
// with one event.
func TestPaymentBatch(t *testing.T) {
	f, s := newFixture(t)
	applyInvoices(t, f, s, by("2025-09-01"), false, invoiceRow(1, "F-1", "C1", 100000))
	ctx := context.Background()
	tx, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	b, err := s.StagePayments(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	rows := []ledger.BatchPayment{
		{Line: 1, Invoice: ptr("F-1"), Received: d("2025-09-05"), Amount: 70000, Currency: "EUR"},
		{Line: 2, Invoice: ptr("F-1"), Received: d("2025-09-08"), Amount: 50000, Currency: "EUR"},
		{Line: 3, Invoice: ptr("F-9"), Received: d("2025-09-08"), Amount: 100, Currency: "EUR"},
	}
	if _, err := b.Copy(ctx, copySource(rows, (*ledger.BatchPayment).Values)); err != nil {
		t.Fatal(err)
	}
	problems, err := b.Problems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0] != (ledger.RowProblem{Line: 3, Field: "invoice",
		Reason: `no invoice "F-9" (name its client to record an unapplied payment)`}) {
		t.Fatalf("problems %+v", problems)
	}
	// A writer drops what was refused; here, the whole batch is tried again
	// without it.
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if tx, err = f.pool.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	if b, err = s.StagePayments(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Copy(ctx, copySource(rows[:2], (*ledger.BatchPayment).Values)); err != nil {
		t.Fatal(err)
	}
	if problems, err := b.Problems(ctx); err != nil || len(problems) != 0 {
		t.Fatal(problems, err)
	}
	a, err := b.Apply(ctx, by("2025-09-10"), ledger.BatchSource{Name: "bank.csv", Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if a.Created != 2 || a.Unallocated != 20000 {
		t.Errorf("applied %+v", a)
	}
	var events int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM event WHERE kind = 'payments_batch' AND actor = 'cli:alice'`).Scan(&events); err != nil || events != 1 {
		t.Errorf("%d payments_batch events (%v)", events, err)
	}
}

// The ledger's batches write allocations set-based (one INSERT … SELECT for
// a whole import, two at once when payments convert an imported `paid`):
// migration 00020's statement trigger dates every one of them, so that a
// deposit imported through a payments batch is unapplied cash until its
// invoice is issued, and the undated `paid` it converts comes back with it.
func TestBatchAllocationsCountOnceBothSidesExist(t *testing.T) {
	f, s := newFixture(t)
	acompte := invoiceRow(1, "F-1103", "K1", 120000)
	acompte.Issued, acompte.Due = d("2025-11-03"), d("2025-12-03")
	paidBefore := invoiceRow(2, "F-0801", "K1", 30000)
	paidBefore.Paid = ptr(money.Amount(30000)) // settled in full, as the ERP said on 1 November
	if _, problems := applyInvoices(t, f, s, by("2025-11-01"), false, acompte, paidBefore); problems != nil {
		t.Fatal(problems)
	}
	applyPayments(t, f, s, by("2025-11-10"), // the bank's lines, dated when received
		ledger.BatchPayment{Line: 1, Invoice: ptr("F-1103"), Received: d("2025-10-05"), Amount: 50000, Reference: ptr("ACOMPTE"), Currency: "EUR"},
		ledger.BatchPayment{Line: 2, Invoice: ptr("F-0801"), Received: d("2025-08-20"), Amount: 30000, Reference: ptr("VIR-0801"), Currency: "EUR"})
	ctx := context.Background()
	// Every allocation the batches wrote carries the day it counts from.
	var wrong int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM allocation a
		JOIN invoice i ON i.id = a.invoice_id LEFT JOIN payment p ON p.id = a.payment_id
		WHERE coalesce(a.counts_from, a.applied_on) <> greatest(a.applied_on, i.issue_date, p.received_on)`).Scan(&wrong); err != nil || wrong != 0 {
		t.Errorf("%d allocations without the day they count from (%v)", wrong, err)
	}
	for _, c := range []struct {
		day  string
		want asOf
	}{
		{"2025-08-10", asOf{documents: "F-0801 30000 2025-08-31", net: 30000}},
		{"2025-09-01", asOf{}},
		{"2025-10-31", asOf{payments: "ACOMPTE 50000", net: -50000}},
		{"2025-11-03", asOf{documents: "F-1103 70000 2025-12-03", net: 70000}},
	} {
		if got := readAsOf(t, f.pool, c.day); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.day, got, c.want)
		}
	}
}
