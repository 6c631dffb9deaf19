package ledger_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

// firstImport is a first import with what takes every statement of a
// batch: new clients described by their rows, invoices partly and fully
// paid, credit notes applied to an invoice before or after them, terms and amounts before tax.
func firstImport() []ledger.BatchInvoice {
	var rows []ledger.BatchInvoice
	for i := 1; i <= 60; i++ {
		client := fmt.Sprintf("C%d", i%6)
		r := ledger.BatchInvoice{Line: i + 1, Number: fmt.Sprintf("F-%03d", i), ClientCode: client,
			Issued: d("2025-06-01").AddDate(0, 0, i), Due: d("2025-07-01").AddDate(0, 0, i),
			Terms: ptr("30 jours"), Amount: money.Amount(10_000 + 100*i), Currency: "EUR", Kind: "invoice",
			Client: ledger.ClientPatch{Name: ptr("Client " + client), Emails: &[]string{"compta@" + client + ".example"}}}
		excl := r.Amount * 5 / 6
		r.AmountExcl = &excl
		switch {
		case i%10 == 0: // a credit note on the invoice before it
			r.Kind, r.Amount, r.AmountExcl = "credit_note", -money.Amount(2_000+i), nil
			r.AppliesTo = ptr(fmt.Sprintf("F-%03d", i-1))
		case i == 35: // two credit notes on one invoice: this one first, the second capped
			r.Kind, r.Amount, r.AmountExcl = "credit_note", -money.Amount(15_000), nil
			r.AppliesTo = ptr("F-058")
		case i == 55: // a credit note on an invoice further down the file
			r.Kind, r.Amount, r.AmountExcl = "credit_note", -money.Amount(1_500), nil
			r.AppliesTo = ptr("F-058")
		case i%7 == 0:
			r.Paid = ptr(r.Amount)
		case i%3 == 0:
			r.Paid = ptr(money.Amount(1_000))
		}
		rows = append(rows, r)
	}
	return rows
}

// ledgerText is everything an invoice batch writes, as text without ids or
// clock times, so that two databases can be compared: the ledger, and what
// the triggers on its tables keep beside it.
func ledgerText(t *testing.T, f fixture) string {
	t.Helper()
	var s string
	err := f.pool.QueryRow(context.Background(), `SELECT string_agg(x, E'\n' ORDER BY x) FROM (
		SELECT 'invoice ' || (i.number, c.code, i.kind, i.issue_date, i.due_date, i.payment_terms, i.currency,
		       i.amount_incl_vat, i.amount_excl_vat, i.settled, i.outstanding, t.number, i.closed_on,
		       i.import_batch_id, i.excluded)::text
		FROM invoice i JOIN client c ON c.id = i.client_id LEFT JOIN invoice t ON t.id = i.applies_to_id
		UNION ALL
		SELECT 'allocation ' || (i.number, cn.number, a.source, a.amount, a.applied_on, a.counts_from, a.import_batch_id)::text
		FROM allocation a JOIN invoice i ON i.id = a.invoice_id LEFT JOIN invoice cn ON cn.id = a.credit_note_id
		UNION ALL
		SELECT 'client ' || (c.code, c.name, c.emails, c.country, c.locale, c.profile)::text FROM client c
		UNION ALL
		SELECT 'event ' || (e.kind, e.actor, e.day, e.detail)::text FROM event e
		UNION ALL
		SELECT 'batch ' || (b.kind, b.rows, b.created, b.updated, b.closed, b.snapshot)::text FROM import_batch b
		UNION ALL  -- what the statement triggers on invoice write (the bulk path fills them after its insert)
		SELECT 'wake ' || (i.number, w.wake_on)::text FROM sweep_wake w LEFT JOIN invoice i ON i.id = w.invoice_id
		UNION ALL
		SELECT 'balance ' || (c.code, b.documents, b.payments)::text FROM client_balance b LEFT JOIN client c ON c.id = b.client_id
		UNION ALL
		SELECT 'horizon ' || (h.latest_issue, h.latest_receipt)::text FROM ledger_horizon h
	) d(x)`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// invoiceSchema is the definition of invoice's and sweep_wake's indexes and
// constraints (the bulk path drops and rebuilds them), and of invoice's and
// allocation's triggers, with whether each is on (it drops or turns off
// some).
func invoiceSchema(t *testing.T, f fixture) string {
	t.Helper()
	var s string
	err := f.pool.QueryRow(context.Background(), `SELECT string_agg(x, E'\n' ORDER BY x) FROM (
		SELECT indexrelid::regclass::text || ' ' || pg_get_indexdef(indexrelid) FROM pg_index
		WHERE indrelid IN ('invoice'::regclass, 'sweep_wake'::regclass)
		UNION ALL
		SELECT conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint
		WHERE conrelid IN ('invoice'::regclass, 'sweep_wake'::regclass)
		UNION ALL  -- the bulk path turns some off for its insert
		SELECT tgname || ' ' || tgenabled::text || ' ' || pg_get_triggerdef(oid) FROM pg_trigger
		WHERE tgrelid IN ('invoice'::regclass, 'allocation'::regclass) AND NOT tgisinternal
	) d(x)`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// issuedAfter gives some of rows an issue date after day, the day of their
// import: a fully paid invoice, a credit note and the invoice two others
// apply to. Their allocations count from that date, not from day.
func issuedAfter(rows []ledger.BatchInvoice, day time.Time) []ledger.BatchInvoice {
	for i, r := range rows {
		switch r.Number {
		case "F-014", "F-020", "F-058":
			rows[i].Issued, rows[i].Due = day.AddDate(0, 0, 2+i%5), day.AddDate(0, 1, 0)
		}
	}
	return rows
}

func TestBulkPathWritesWhatTheUpsertWrites(t *testing.T) {
	type run struct {
		f        fixture
		bulk     bool
		applied  []ledger.Applied
		problems []ledger.RowProblem
	}
	var runs []run
	for _, minRows := range []int{1, -1} {
		f, _ := newFixture(t)
		s := ledger.New(f.pool, ledger.Options{BulkMinRows: minRows})
		schema := invoiceSchema(t, f)
		r := run{f: f}
		// A client known before, with a payment unallocated: its balance
		// has a row the first import adds to, the others none.
		f.exec(`INSERT INTO payment (entity_id, client_id, received_on, amount, allocated) VALUES (1, $1, $2, 5000, 0)`,
			f.client("C1"), d("2025-08-01"))
		// A refused batch first: the same problems by either path.
		dup := firstImport()[:3]
		dup[2].Number, dup[2].Amount = dup[0].Number, 1
		a, problems := applyInvoices(t, f, s, by("2025-09-01"), false, dup...)
		r.problems = problems
		first := issuedAfter(firstImport(), d("2025-09-01"))
		a, problems = applyInvoices(t, f, s, by("2025-09-01"), false, first...)
		if len(problems) > 0 {
			t.Fatalf("problems: %v", problems)
		}
		r.bulk = a.Bulk
		r.applied = append(r.applied, a)
		if got := invoiceSchema(t, f); got != schema {
			t.Errorf("after the first import (bulk %v) invoice's indexes and constraints are\n%s\nwant\n%s", a.Bulk, got, schema)
		}
		// What follows a first import goes down the normal path by either.
		next := slices.Clone(first[5:])
		next[0].Amount += 7
		a, _ = applyInvoices(t, f, s, by("2025-09-02"), true, next...)
		if a.Bulk {
			t.Error("a batch into a ledger with invoices took the bulk path")
		}
		r.applied = append(r.applied, a)
		runs = append(runs, r)
	}
	bulk, upsert := runs[0], runs[1]
	if !bulk.bulk || upsert.bulk {
		t.Fatalf("bulk path taken: %v with BulkMinRows 1, %v with -1; want true, false", bulk.bulk, upsert.bulk)
	}
	if fmt.Sprint(bulk.problems) != fmt.Sprint(upsert.problems) || len(bulk.problems) == 0 {
		t.Errorf("problems of the bulk path %v, of the upsert %v", bulk.problems, upsert.problems)
	}
	for i := range bulk.applied {
		b, u := bulk.applied[i], upsert.applied[i]
		b.Bulk, u.Bulk = false, false
		if b != u {
			t.Errorf("batch %d applied %+v by the bulk path, %+v by the upsert", i+1, b, u)
		}
	}
	if bulk.applied[0].Created != 60 {
		t.Errorf("created %d, want 60", bulk.applied[0].Created)
	}
	if got, want := ledgerText(t, bulk.f), ledgerText(t, upsert.f); got != want {
		t.Errorf("the bulk path wrote\n%s\nthe upsert\n%s", got, want)
	}
}

func TestBulkPathOnlyIntoAnEmptyTable(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	if _, err := s.AddEntity(ctx, by("2025-09-01"), ledger.Entity{Code: "acme", Name: "Acme SAS"}); err != nil {
		t.Fatal(err)
	}
	acme := ledger.New(f.pool, ledger.Options{Entity: "acme", BulkMinRows: 1})
	a, _ := applyInvoices(t, f, acme, by("2025-09-01"), false, firstImport()[:2]...)
	if !a.Bulk {
		t.Fatal("the first batch into an empty table did not take the bulk path")
	}
	// The default entity is empty, the table is not: its indexes stay.
	def := ledger.New(f.pool, ledger.Options{BulkMinRows: 1})
	a, _ = applyInvoices(t, f, def, by("2025-09-01"), false, firstImport()...)
	if a.Bulk || a.Created != 60 {
		t.Errorf("first batch of an empty entity beside another: bulk %v, created %d; want the upsert, 60", a.Bulk, a.Created)
	}
}

// The rebuild checks invoice's keys with random_page_cost at seq_page_cost
// (migration 00250) and puts the caller's back: the statements after it
// in the import's transaction plan with the server's costs.
func TestBulkPathPutsBackThePageCost(t *testing.T) {
	f, _ := newFixture(t)
	s := ledger.New(f.pool, ledger.Options{BulkMinRows: 1})
	ctx := context.Background()
	tx, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // rolled back: nothing to keep
	if _, err := tx.Exec(ctx, `SET LOCAL random_page_cost = 3.5`); err != nil {
		t.Fatal(err)
	}
	b, err := s.StageInvoices(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Copy(ctx, rowsOf(firstImport())); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Problems(ctx, nil); err != nil {
		t.Fatal(err)
	}
	a, err := b.Apply(ctx, by("2025-09-01"), ledger.BatchSource{Name: "f.csv", Format: "csv"}, false)
	if err != nil || !a.Bulk {
		t.Fatalf("applied %+v (%v), want the bulk path", a, err)
	}
	var cost string
	if err := tx.QueryRow(ctx, `SHOW random_page_cost`).Scan(&cost); err != nil || cost != "3.5" {
		t.Errorf("random_page_cost after the import %q (%v), want 3.5", cost, err)
	}
}

// TestBulkPathGivesWayToTheTablesItLocks holds each table the bulk path
// takes besides invoice and client with the lock its lock conflicts with:
// sweep_wake, whose indexes it rebuilds, with a reader's, allocation,
// whose triggers it turns off, and client_balance, which it inserts into
// without ON CONFLICT, with a writer's. The first import takes the normal
// path rather than wait, and the triggers write as usual.
func TestBulkPathGivesWayToTheTablesItLocks(t *testing.T) {
	for table, mode := range map[string]string{"sweep_wake": "ACCESS SHARE", "allocation": "ROW EXCLUSIVE",
		"client_balance": "ROW EXCLUSIVE"} {
		t.Run(table, func(t *testing.T) {
			f, _ := newFixture(t)
			ctx := context.Background()
			reader, err := f.pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := reader.Exec(ctx, "LOCK TABLE "+table+" IN "+mode+" MODE"); err != nil {
				t.Fatal(err)
			}
			// Let go after a while: an import that waited for the lock
			// instead of giving way then ends, on the bulk path, and fails
			// the test rather than hang it.
			release := time.AfterFunc(5*time.Second, func() { reader.Rollback(ctx) }) //nolint:errcheck // only a lock
			defer func() {
				if release.Stop() {
					reader.Rollback(ctx) //nolint:errcheck // only a lock
				}
			}()
			s := ledger.New(f.pool, ledger.Options{BulkMinRows: 1})
			a, problems := applyInvoices(t, f, s, by("2025-09-01"), false, firstImport()...)
			if len(problems) > 0 || a.Bulk || a.Created != 60 {
				t.Errorf("first import beside a lock %s on %s: bulk %v, created %d, problems %v; want the upsert, 60",
					mode, table, a.Bulk, a.Created, problems)
			}
			var wakes int
			if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM sweep_wake`).Scan(&wakes); err != nil || wakes == 0 {
				t.Errorf("sweep_wake holds %d rows (%v) after the upsert", wakes, err)
			}
		})
	}
}

// rowVersions returns, for each invoice and client, its number or code
// with the transaction that wrote it and the one that locked it (0: none).
func rowVersions(t *testing.T, f fixture) map[string]string {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `
		SELECT 'invoice ' || number, xmin::text || '/' || xmax::text FROM invoice
		UNION ALL SELECT 'client ' || code, xmin::text || '/' || xmax::text FROM client
		UNION ALL SELECT 'allocations', count(*)::text FROM allocation`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

func TestUnchangedReimportWritesNothing(t *testing.T) {
	f, _ := newFixture(t)
	s := ledger.New(f.pool, ledger.Options{BulkMinRows: -1})
	applyInvoices(t, f, s, by("2025-09-01"), true, firstImport()...)
	before := rowVersions(t, f)

	a, _ := applyInvoices(t, f, s, by("2025-09-02"), true, firstImport()...)
	if a.Created != 0 || a.Updated != 0 || a.Closed != 0 || a.ClientsCreated != 0 || a.ClientsUpdated != 0 {
		t.Errorf("an unchanged snapshot applied %+v, want nothing created, updated or closed", a)
	}
	after := rowVersions(t, f)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: written or locked again by an unchanged snapshot: xmin/xmax %s, was %s", k, after[k], v)
		}
	}
	var detail string
	f.pool.QueryRow(context.Background(), `SELECT detail->>'updated' || ' ' || (detail->>'created') FROM event
		WHERE kind = 'invoices_batch' ORDER BY id DESC LIMIT 1`).Scan(&detail) //nolint:errcheck // compared below
	if detail != "0 0" {
		t.Errorf("event of the unchanged snapshot says updated, created = %q, want 0 0", detail)
	}

	changed := firstImport()
	changed[4].Amount += 100
	a, _ = applyInvoices(t, f, s, by("2025-09-03"), true, changed...)
	if a.Updated != 1 || a.Created != 0 {
		t.Errorf("a snapshot with one amount changed applied %+v, want 1 updated", a)
	}
	last := rowVersions(t, f)
	for k, v := range before {
		if moved := last[k] != v; moved != (k == "invoice "+changed[4].Number) {
			t.Errorf("%s: xmin/xmax %s, was %s (changed row: %s)", k, last[k], v, changed[4].Number)
		}
	}
	var amount int64
	f.pool.QueryRow(context.Background(), `SELECT amount_incl_vat FROM invoice WHERE number = $1`, changed[4].Number).Scan(&amount) //nolint:errcheck // compared below
	if money.Amount(amount) != changed[4].Amount {
		t.Errorf("%s amounts to %d, want %d", changed[4].Number, amount, changed[4].Amount)
	}
}

// TestTwoFirstImportsAtOnce runs the first imports of two entities at the
// same time: whichever takes the bulk path, the other waits or takes the
// normal path, and neither fails on a lock.
func TestTwoFirstImportsAtOnce(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	if _, err := s.AddEntity(ctx, by("2025-09-01"), ledger.Entity{Code: "acme", Name: "Acme SAS"}); err != nil {
		t.Fatal(err)
	}
	apply := func(entity string) (ledger.Applied, error) {
		tx, err := f.pool.Begin(ctx)
		if err != nil {
			return ledger.Applied{}, err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
		b, err := ledger.New(tx, ledger.Options{Entity: entity, BulkMinRows: 1}).StageInvoices(ctx, tx)
		if err != nil {
			return ledger.Applied{}, err
		}
		rows := firstImport()
		if _, err := b.Copy(ctx, rowsOf(rows)); err != nil {
			return ledger.Applied{}, err
		}
		if _, err := b.Problems(ctx, nil); err != nil {
			return ledger.Applied{}, err
		}
		a, err := b.Apply(ctx, by("2025-09-01"), ledger.BatchSource{Name: entity + ".csv", Format: "csv"}, false)
		if err != nil {
			return a, err
		}
		return a, tx.Commit(ctx)
	}
	type result struct {
		a   ledger.Applied
		err error
	}
	done := make(chan result, 2)
	for _, e := range []string{"default", "acme"} {
		go func() {
			a, err := apply(e)
			done <- result{a, err}
		}()
	}
	bulk := 0
	for range 2 {
		r := <-done
		if r.err != nil {
			t.Fatalf("a first import beside another failed: %v", r.err)
		}
		if r.a.Created != 60 {
			t.Errorf("created %d, want 60", r.a.Created)
		}
		if r.a.Bulk {
			bulk++
		}
	}
	if bulk > 1 {
		t.Errorf("%d imports took the bulk path into one table", bulk)
	}
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM invoice`).Scan(&n); err != nil || n != 120 {
		t.Errorf("%d invoices (%v), want 120", n, err)
	}
}

// problemsOf stages rows in a transaction it rolls back and returns what
// Problems said, with refused as the numbers of the rows a reader refused,
// and whether Problems computed the bulk path's link (invoice_bulk_link).
func problemsOf(t *testing.T, f fixture, s *ledger.Store, refused []string, rows ...ledger.BatchInvoice) ([]ledger.RowProblem, bool) {
	t.Helper()
	ctx := context.Background()
	tx, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // rolled back: nothing to keep
	problems, err := stageIn(t, tx, s, rows).Problems(ctx, refused)
	if err != nil {
		t.Fatal(err)
	}
	var linked bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('invoice_bulk_link') IS NOT NULL`).Scan(&linked); err != nil {
		t.Fatal(err)
	}
	return problems, linked
}

// A batch that may take the bulk path finds its credit notes' unknown
// targets in the link Problems computes for the insert
// (batch_bulk_unknown_targets.sql), not by the check's own join over the
// batch: the same rows are refused either way — a credit note on a number
// neither in the batch nor in the ledger — and not one on a row of the
// batch, on a row listed twice (an exact repeat, dropped before), or on a
// row its reader refused.
func TestBulkPathFindsTheUnknownTargetsTheCheckFinds(t *testing.T) {
	credit := func(line int, number, target string) ledger.BatchInvoice {
		r := invoiceRow(line, number, "C1", -100)
		r.Kind, r.AppliesTo = "credit_note", ptr(target)
		return r
	}
	rows := firstImport()[:20]
	again := rows[4] // F-005, listed again: an exact repeat
	again.Line = 34
	rows = append(rows, credit(30, "AV-1", "NOPE"), credit(31, "AV-2", "F-003"), credit(32, "AV-3", "F-900"),
		credit(33, "AV-4", "F-005"), again, credit(35, "AV-5", "ABSENT"))
	var got [2]string
	for i, minRows := range []int{1, -1} {
		f, _ := newFixture(t)
		problems, linked := problemsOf(t, f, ledger.New(f.pool, ledger.Options{BulkMinRows: minRows}), []string{"F-900"}, rows...)
		if linked != (minRows > 0) {
			t.Errorf("BulkMinRows %d: the link computed %v", minRows, linked)
		}
		got[i] = fmt.Sprint(problems)
	}
	want := fmt.Sprint([]ledger.RowProblem{
		{Line: 30, Field: "applies_to", Reason: `invoice "NOPE" is neither in this import nor in the ledger`},
		{Line: 35, Field: "applies_to", Reason: `invoice "ABSENT" is neither in this import nor in the ledger`},
	})
	if got[0] != want || got[1] != want {
		t.Errorf("unknown targets\nby the bulk path's link %s\nby the check's join     %s\nwant                    %s", got[0], got[1], want)
	}
}

// The bulk insert links the credit notes itself when Problems did not run
// (its link then absent), and takes the rows in whatever order of lines
// they come (it reserves an id for each line from the first to the last
// staged: lineSpan): the ledger is the upsert's.
func TestBulkPathWithoutProblemsAndLinesInAnyOrder(t *testing.T) {
	rows := issuedAfter(firstImport(), d("2025-09-01"))
	slices.Reverse(rows)
	rows[10], rows[30] = rows[30], rows[10]
	var texts [2]string
	for i, minRows := range []int{1, -1} {
		f, _ := newFixture(t)
		s := ledger.New(f.pool, ledger.Options{BulkMinRows: minRows})
		ctx := context.Background()
		tx, err := f.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
		a, err := stageIn(t, tx, s, rows).Apply(ctx, by("2025-09-01"), ledger.BatchSource{Name: "api", Format: "json"}, false)
		if err != nil || a.Bulk != (minRows > 0) || a.Created != 60 {
			t.Fatalf("BulkMinRows %d: applied %+v (%v)", minRows, a, err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		// Every id taken from the sequence: none that a later nextval
		// gives again.
		if outside := f.id(`SELECT count(*) FROM invoice WHERE id < 1 OR id > (SELECT last_value FROM invoice_id_seq)`); outside > 0 {
			t.Errorf("BulkMinRows %d: %d invoices with an id the sequence did not give", minRows, outside)
		}
		texts[i] = ledgerText(t, f)
	}
	if texts[0] != texts[1] {
		t.Errorf("the bulk path wrote\n%s\nthe upsert\n%s", texts[0], texts[1])
	}
}
