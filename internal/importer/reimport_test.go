package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/pgtest"
)

// The re-import that leaves unchanged rows out (reimport.go) against the
// re-import of every row, on two databases given the same history: for each
// write between two imports that changes what a batch does with an
// unchanged row, the row is taken (its hash cleared, the row staged), and
// both end in the same tables, events and counts.

const reimportHeader = "invoice_number,client_id,client_name,issue_date,due_date,amount,paid,kind,applies_to,email"

// reimportRows is the first file. AV-1 applies to F-5 more than F-5 owes
// (credit left: staged every time); AV-2 applies to nothing; F-6 is paid in
// full by the file; C2's two rows give two emails.
var reimportRows = []string{
	"F-1,C1,Alpha,2025-06-01,2025-07-01,1000.00,100.00,invoice,,a@alpha.fr",
	"F-2,C1,Alpha,2025-06-02,2025-07-02,2000.00,,invoice,,a@alpha.fr",
	"F-3,C2,Beta,2025-06-03,2025-07-03,3000.00,,invoice,,b@beta.fr",
	"F-4,C2,Beta,2025-06-04,2025-07-04,400.00,,invoice,,z@beta.fr",
	"F-5,C3,Gamma,2025-06-05,2025-07-05,500.00,,invoice,,g@gamma.fr",
	"AV-1,C3,Gamma,2025-06-06,2025-07-06,-800.00,,credit_note,F-5,g@gamma.fr",
	"AV-2,C1,Alpha,2025-06-07,2025-07-07,-50.00,,credit_note,,a@alpha.fr",
	"F-6,C3,Gamma,2025-06-08,2025-07-08,600.00,600.00,invoice,,g@gamma.fr",
}

// edit returns reimportRows without the rows numbered in drop, with the
// row of number replaced by with ("" leaves it), and extra appended.
func edit(number, with string, drop []string, extra ...string) []string {
	var out []string
	for _, r := range reimportRows {
		n, _, _ := strings.Cut(r, ",")
		switch {
		case contains(drop, n):
		case n == number && with != "":
			out = append(out, with)
		default:
			out = append(out, r)
		}
	}
	return append(out, extra...)
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func writeRows(t *testing.T, name string, rows []string) string {
	t.Helper()
	return writeFile(t, name, reimportHeader+"\n"+strings.Join(rows, "\n")+"\n")
}

// reimportState is everything an invoice batch writes or counts, to compare
// two databases.
func reimportState(t *testing.T, db *pgxpool.Pool) string {
	t.Helper()
	return render(t, db,
		`SELECT id, code, name, emails, cc_emails, locale, profile, segment, country, city, phone, credit_alert_pct,
		        updated_at = created_at, said_hash FROM client ORDER BY id`,
		`SELECT id, client_id, number, kind, issue_date, due_date, payment_terms, currency, amount_incl_vat, amount_excl_vat,
		        settled, applies_to_id, closed_on, import_batch_id, source_hash FROM invoice ORDER BY id`,
		`SELECT id, invoice_id, source, payment_id, credit_note_id, import_batch_id, amount, applied_on FROM allocation ORDER BY id`,
		`SELECT id, kind, rows, created, updated, closed, snapshot FROM import_batch ORDER BY id`,
		`SELECT id, kind, client_id, detail::text, actor, day FROM event ORDER BY id`,
		`SELECT entity_id, kind, batch_id FROM data_freshness ORDER BY entity_id, kind`)
}

func TestReimportLeavesOutOnlyWhatABatchWouldNotChange(t *testing.T) {
	ctx := context.Background()
	act := ledger.Act{Actor: "test", Day: asOf}
	snapshot := func() Options { o := opts(); o.Snapshot = true; return o }
	cases := []struct {
		name  string
		write func(t *testing.T, db *pgxpool.Pool) // between the imports, the same on both databases
		again []string                             // the re-imported file
		opt   Options
		taken []string // invoices whose hash the write cleared
		left  int      // rows the re-import leaves out
		// clients: those the re-import leaves out (a snapshot's whose rows
		// all are); clientsTaken: those whose said hash the write cleared.
		clients      int
		clientsTaken []string
	}{
		{name: "unchanged snapshot", again: reimportRows, opt: snapshot(), left: 7, clients: 2},
		{name: "unchanged, not a snapshot", again: reimportRows, opt: opts(), left: 7},
		{name: "a row changed in the file", again: edit("F-2", "F-2,C1,Alpha,2025-06-02,2025-07-02,2100.00,,invoice,,a@alpha.fr", nil),
			opt: snapshot(), left: 6, clients: 1},
		{name: "paid changed in the file", again: edit("F-1", "F-1,C1,Alpha,2025-06-01,2025-07-01,1000.00,300.00,invoice,,a@alpha.fr", nil),
			opt: snapshot(), left: 6, clients: 1},
		{name: "a snapshot that closes too much", again: edit("", "", []string{"F-2", "F-3", "F-4", "F-5", "AV-1"}),
			opt: snapshot(), left: 3, clients: 2},
		{name: "a snapshot that closes too much, forced", again: edit("", "", []string{"F-2", "F-3", "F-4", "F-5", "AV-1"}),
			opt: func() Options { o := snapshot(); o.Force = true; return o }(), left: 3, clients: 2},
		{name: "a row gone from the snapshot", again: edit("", "", []string{"F-3"}), opt: snapshot(), left: 6, clients: 1},
		{name: "a new row", again: edit("", "", nil, "F-7,C4,Delta,2025-06-09,2025-07-09,700.00,,invoice,,d@delta.fr"),
			opt: snapshot(), left: 7, clients: 2},
		{name: "its invoice owes more: the credit note applies more",
			again: edit("F-5", "F-5,C3,Gamma,2025-06-05,2025-07-05,900.00,,invoice,,g@gamma.fr", nil), opt: snapshot(), left: 6, clients: 2},
		{name: "a number listed again as it was left out", again: edit("", "", nil, reimportRows[1]), opt: snapshot(), left: 8, clients: 2},
		{name: "a number listed again as it was, saying another email", opt: snapshot(), left: 8, clients: 2,
			again: edit("", "", nil, "F-2,C1,Alpha,2025-06-02,2025-07-02,2000.00,,invoice,,zz@alpha.fr")},
		{name: "a number listed again with another due date", again: edit("", "", nil,
			"F-2,C1,Alpha,2025-06-02,2025-08-02,2000.00,,invoice,,a@alpha.fr"), opt: snapshot(), left: 0},
		{name: "a number changed, then listed as it was", again: edit("F-2",
			"F-2,C1,Alpha,2025-06-02,2025-08-02,2000.00,,invoice,,a@alpha.fr", nil, reimportRows[1]), opt: snapshot(), left: 0},
		{name: "a number listed again with another amount",
			again: edit("", "", nil, "F-2,C1,Alpha,2025-06-02,2025-07-02,9.00,,invoice,,a@alpha.fr"), opt: snapshot()},
		{name: "the invoice written by another writer", opt: snapshot(), again: reimportRows, taken: []string{"F-2"}, left: 6, clients: 1,
			write: func(t *testing.T, db *pgxpool.Pool) {
				mustExec(t, db, `UPDATE invoice SET due_date = due_date + 5, payment_terms = 'net 35' WHERE number = 'F-2'`)
			}},
		{name: "the invoice written through the API", opt: snapshot(), again: reimportRows, left: 6, clients: 1,
			write: func(t *testing.T, db *pgxpool.Pool) {
				recs := Records{Name: "api", Header: strings.Split(reimportHeader, ","),
					Rows: [][]string{strings.Split("F-2,C1,Alpha,2025-06-02,2025-08-02,2000.00,,invoice,,a@alpha.fr", ",")}}
				if _, err := ImportInvoiceRecords(ctx, db, recs, opts()); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "a payment beside an unchanged paid", opt: snapshot(), again: reimportRows, taken: []string{"F-1"}, left: 6, clients: 1,
			write: func(t *testing.T, db *pgxpool.Pool) {
				path := writeFile(t, "payments.csv", "invoice_number,date,amount\nF-1,2025-08-01,50.00\n")
				if _, err := ImportPayments(ctx, db, path, opts()); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "a credit note applied by hand", opt: snapshot(), again: reimportRows, taken: []string{"F-2", "AV-2"}, left: 5, clients: 1,
			write: func(t *testing.T, db *pgxpool.Pool) {
				if _, err := ledger.New(db, ledger.Options{}).Allocate(ctx, act, ledger.AllocationRequest{Invoice: "F-2", CreditNote: "AV-2"}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "a write-off", opt: snapshot(), again: reimportRows, taken: []string{"F-3"}, left: 6, clients: 1,
			write: func(t *testing.T, db *pgxpool.Pool) {
				if _, err := ledger.New(db, ledger.Options{}).WriteOff(ctx, act, "F-3", ledger.WriteOffOptions{}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "closed by a snapshot, listed again", opt: snapshot(), again: reimportRows, taken: []string{"F-2"}, left: 6, clients: 1,
			write: func(t *testing.T, db *pgxpool.Pool) {
				mustImport(t, db, writeRows(t, "without-f2.csv", edit("", "", []string{"F-2"})), snapshot())
			}},
		{name: "the client's code changed", opt: snapshot(), again: reimportRows, taken: []string{"F-1", "F-2", "AV-2"}, left: 4, clients: 1,
			write: func(t *testing.T, db *pgxpool.Pool) {
				mustExec(t, db, `UPDATE client SET code = 'C1-OLD' WHERE code = 'C1'`)
			}},
		{name: "an allocation deleted", opt: snapshot(), again: reimportRows, taken: []string{"F-1"}, left: 6, clients: 1,
			write: func(t *testing.T, db *pgxpool.Pool) {
				mustExec(t, db, `DELETE FROM allocation WHERE source = 'import' AND invoice_id = (SELECT id FROM invoice WHERE number = 'F-1')`)
			}},
		{name: "an allocation moved", opt: snapshot(), again: reimportRows, taken: []string{"F-1", "F-2"}, left: 5, clients: 1,
			write: func(t *testing.T, db *pgxpool.Pool) {
				mustExec(t, db, `UPDATE allocation SET invoice_id = (SELECT id FROM invoice WHERE number = 'F-2')
					WHERE source = 'import' AND invoice_id = (SELECT id FROM invoice WHERE number = 'F-1')`)
			}},
		{name: "the client patched", opt: snapshot(), again: reimportRows, left: 7, clients: 1, clientsTaken: []string{"C1"},
			write: patchClient(ctx, act, "C1", func(c *ledger.Client) { c.Emails = []string{"new@alpha.fr"} })},
		{name: "the client patched, not a snapshot", opt: opts(), again: reimportRows, left: 7, clientsTaken: []string{"C1"},
			write: patchClient(ctx, act, "C1", func(c *ledger.Client) { c.Emails = []string{"new@alpha.fr"} })},
		{name: "a field the file does not say patched", opt: snapshot(), again: reimportRows, left: 7, clients: 1,
			clientsTaken: []string{"C2"}, write: patchClient(ctx, act, "C2", func(c *ledger.Client) { c.Phone = "01 23 45 67 89" })},
		{name: "the client written by another writer", opt: snapshot(), again: reimportRows, left: 7, clients: 1,
			clientsTaken: []string{"C2"}, write: func(t *testing.T, db *pgxpool.Pool) {
				mustExec(t, db, `UPDATE client SET name = 'Beta SA' WHERE code = 'C2'`)
			}},
		{name: "the client written by a batch of clients", opt: snapshot(), again: reimportRows, left: 7, clients: 1,
			clientsTaken: []string{"C2"}, write: importClients("client_id,city\nC2,Lyon\n")},
		{name: "a batch of clients that changes nothing", opt: snapshot(), again: reimportRows, left: 7, clients: 2,
			write: importClients("client_id,client_name\nC2,Beta\n")},
		{name: "the client's email changed in the file", opt: snapshot(), left: 7, clients: 1,
			again: func() []string {
				rows := edit("", "", nil)
				for i, r := range rows {
					rows[i] = strings.Replace(r, "a@alpha.fr", "x@alpha.fr", 1)
				}
				return rows
			}()},
		{name: "one row of the client says another email", opt: snapshot(), left: 7, clients: 1,
			again: edit("F-1", "F-1,C1,Alpha,2025-06-01,2025-07-01,1000.00,100.00,invoice,,a1@alpha.fr", nil)},
		{name: "a row changed in the file saying another email", opt: snapshot(), left: 6, clients: 1,
			again: edit("F-2", "F-2,C1,Alpha,2025-06-02,2025-07-02,2100.00,,invoice,,b2@alpha.fr", nil)},
		{name: "a row changed in the file saying a lesser email", opt: snapshot(), left: 6, clients: 1,
			again: edit("F-2", "F-2,C1,Alpha,2025-06-02,2025-07-02,2100.00,,invoice,,0@alpha.fr", nil)},
		{name: "the client's row with the greatest email gone", opt: snapshot(), again: edit("", "", []string{"F-4"}), left: 6, clients: 1},
		{name: "a dispute", opt: snapshot(), again: reimportRows, left: 7, clients: 2,
			write: func(t *testing.T, db *pgxpool.Pool) {
				if _, err := ledger.New(db, ledger.Options{}).OpenDispute(ctx, act, ledger.DisputeOpening{Invoice: "F-2", Reason: "price"}); err != nil {
					t.Fatal(err)
				}
			}},
	}
	first := writeRows(t, "first.csv", reimportRows)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			leave, all := pgtest.NewDB(t), pgtest.NewDB(t)
			for _, db := range []*pgxpool.Pool{leave, all} {
				mustImport(t, db, first, opts())
				if c.write != nil {
					c.write(t, db)
				}
			}
			for _, n := range c.taken {
				var cleared bool
				if err := leave.QueryRow(ctx, `SELECT source_hash IS NULL FROM invoice WHERE number = $1`, n).Scan(&cleared); err != nil || !cleared {
					t.Errorf("%s: hash kept after the write (cleared %v, %v): its row would be left out", n, cleared, err)
				}
			}
			for _, code := range c.clientsTaken {
				var cleared bool
				if err := leave.QueryRow(ctx, `SELECT said_hash IS NULL FROM client WHERE code = $1`, code).Scan(&cleared); err != nil || !cleared {
					t.Errorf("client %s: said hash kept after the write (cleared %v, %v): it would be left out", code, cleared, err)
				}
			}
			path := writeRows(t, "again.csv", c.again)
			got, gotErr := ImportInvoices(ctx, leave, path, c.opt)
			want, wantErr := importInvoiceFile(ctx, all, path, c.opt, false)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("leaving rows out: %v\nevery row: %v", gotErr, wantErr)
			}
			if got.leftOut != c.left || got.leftClients != c.clients {
				t.Errorf("left %d rows and %d clients out, want %d and %d", got.leftOut, got.leftClients, c.left, c.clients)
			}
			got.leftOut, got.leftClients, got.BatchID, want.BatchID = 0, 0, 0, 0
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Errorf("leaving rows out: %+v\nevery row: %+v", got, want)
			}
			if g, w := reimportState(t, leave), reimportState(t, all); g != w {
				t.Errorf("leaving rows out wrote\n%s\nevery row\n%s", g, w)
			}
		})
	}
}

// beginOnly is a database that is not a pool: the reader reads the sources
// before the file, on the import's own transaction.
type beginOnly struct{ DB }

// The unchanged snapshot leaves every invoice and client as it was: not written, not
// locked (the ledger's own test checks the same of a batch), whether the
// sources are read beside the parse (a pool) or before it.
func TestUnchangedSnapshotLeavesEveryRowOut(t *testing.T) {
	ctx := context.Background()
	for name, wrap := range map[string]func(*pgxpool.Pool) DB{
		"pool":       func(p *pgxpool.Pool) DB { return p },
		"begin only": func(p *pgxpool.Pool) DB { return beginOnly{p} },
	} {
		t.Run(name, func(t *testing.T) {
			db := pgtest.NewDB(t)
			path := writeRows(t, "first.csv", reimportRows)
			mustImport(t, db, path, opts())
			versions := func() string {
				var s string
				if err := db.QueryRow(ctx, `SELECT (SELECT string_agg(number || ':' || xmin::text || '/' || xmax::text, ' ' ORDER BY number) FROM invoice)
					|| ' ' || (SELECT string_agg(code || ':' || xmin::text || '/' || xmax::text, ' ' ORDER BY code) FROM client)`).Scan(&s); err != nil {
					t.Fatal(err)
				}
				return s
			}
			before := versions()
			o := opts()
			o.Snapshot = true
			res, err := ImportInvoices(ctx, wrap(db), path, o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != 8 || res.Created != 0 || res.Updated != 0 || res.Closed != 0 || res.leftOut != 7 || res.leftClients != 2 {
				t.Errorf("unchanged snapshot = %+v, want 8 rows, 7 left out with 2 clients, nothing written", res)
			}
			if after := versions(); after != before {
				t.Errorf("invoices written again:\n%s\nwere\n%s", after, before)
			}
		})
	}
}

// A file that lists a number twice after leaving it out is read again, every
// row staged (errReadAgain), and gets the duplicate checks of any file.
func TestReadAgainOnADuplicateLeftOut(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	mustImport(t, db, writeRows(t, "first.csv", reimportRows), opts())
	path := writeRows(t, "twice.csv", edit("", "", nil, "F-2,C1,Alpha,2025-06-02,2025-07-02,9.00,,invoice,,a@alpha.fr"))
	_, err := importInvoiceFile(ctx, db, path, opts(), true)
	if !errors.Is(err, errReadAgain) {
		t.Fatalf("first read: %v, want errReadAgain", err)
	}
	_, err = ImportInvoices(ctx, db, path, opts())
	var ie *ImportError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), `duplicate invoice "F-2" (first on line 3)`) {
		t.Errorf("err = %v, want the duplicate F-2 named with its first line", err)
	}
}

// patchClient is a write that changes client code as set does, as the CLI
// and the API do.
func patchClient(ctx context.Context, act ledger.Act, code string, set func(*ledger.Client)) func(*testing.T, *pgxpool.Pool) {
	return func(t *testing.T, db *pgxpool.Pool) {
		t.Helper()
		_, err := ledger.New(db, ledger.Options{}).SetClient(ctx, act, code, func(c *ledger.Client) error { set(c); return nil })
		if err != nil {
			t.Fatal(err)
		}
	}
}

// importClients is a write of a batch of clients (the API's), given as CSV.
func importClients(csv string) func(*testing.T, *pgxpool.Pool) {
	return func(t *testing.T, db *pgxpool.Pool) {
		t.Helper()
		lines := strings.Split(strings.TrimSpace(csv), "\n")
		recs := Records{Name: "api", Header: strings.Split(lines[0], ",")}
		for _, l := range lines[1:] {
			recs.Rows = append(recs.Rows, strings.Split(l, ","))
		}
		if _, err := ImportClientRecords(context.Background(), db, recs, opts()); err != nil {
			t.Fatal(err)
		}
	}
}

func mustExec(t *testing.T, db *pgxpool.Pool, sql string) {
	t.Helper()
	if _, err := db.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}
