package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var asOf = clock.Date(2025, 9, 12)

func opts() Options {
	return Options{Actor: "test", AsOf: asOf, DefaultTerms: ledger.Terms{Days: 30}, EOM: ledger.DaysThenEOM}
}

// inv is an invoice as the tests check it: amounts in cents, dates as ISO.
type inv struct {
	client, kind, issue, due string
	amount, settled, out     int64
	excl                     *int64
	appliesTo                string
	closedOn                 string
}

func invoices(t *testing.T, db *pgxpool.Pool) map[string]inv {
	t.Helper()
	rows, err := db.Query(context.Background(), `
		SELECT i.number, c.code, i.kind, i.issue_date::text, i.due_date::text, i.amount_incl_vat, i.settled,
		       i.outstanding, i.amount_excl_vat, COALESCE(t.number, ''), COALESCE(i.closed_on::text, '')
		FROM invoice i JOIN client c ON c.id = i.client_id LEFT JOIN invoice t ON t.id = i.applies_to_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]inv{}
	for rows.Next() {
		var n string
		var v inv
		if err := rows.Scan(&n, &v.client, &v.kind, &v.issue, &v.due, &v.amount, &v.settled, &v.out, &v.excl, &v.appliesTo, &v.closedOn); err != nil {
			t.Fatal(err)
		}
		out[n] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func checkInvoices(t *testing.T, got map[string]inv, want map[string]inv) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d invoices, want %d: %v", len(got), len(want), got)
	}
	for n, w := range want {
		g, ok := got[n]
		if !ok {
			t.Errorf("invoice %s missing", n)
			continue
		}
		if (g.excl == nil) != (w.excl == nil) || (g.excl != nil && *g.excl != *w.excl) {
			t.Errorf("%s: amount_excl_vat = %v, want %v", n, deref(g.excl), deref(w.excl))
		}
		g.excl, w.excl = nil, nil
		if g != w {
			t.Errorf("%s:\n got %+v\nwant %+v", n, g, w)
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func cents(v int64) *int64 { return &v }

// dump renders every business table, without timestamps, to compare states.
func dump(t *testing.T, db *pgxpool.Pool) string {
	t.Helper()
	return render(t, db,
		`SELECT id, code, name, emails, locale, profile FROM client ORDER BY id`,
		`SELECT id, client_id, number, kind, issue_date, due_date, payment_terms, currency, amount_incl_vat, amount_excl_vat, settled, applies_to_id, closed_on, import_batch_id FROM invoice ORDER BY id`,
		`SELECT id, invoice_id, source, payment_id, credit_note_id, import_batch_id, amount, applied_on FROM allocation ORDER BY id`,
		`SELECT id, client_id, reference, received_on, amount, allocated, invoice_number FROM payment ORDER BY id`)
}

// render renders the rows of each query, one line each.
func render(t *testing.T, db *pgxpool.Pool, queries ...string) string {
	t.Helper()
	var b strings.Builder
	for _, q := range queries {
		rows, err := db.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

func mustImport(t *testing.T, db *pgxpool.Pool, path string, opt Options) Result {
	t.Helper()
	res, err := ImportInvoices(context.Background(), db, path, opt)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return res
}

func TestFrenchCSVWindows1252(t *testing.T) {
	db := pgtest.NewDB(t)
	res := mustImport(t, db, "testdata/factures_fr_cp1252.csv", opts())
	if res.Format != "csv" || res.Encoding != "windows-1252" || res.Rows != 6 || res.Created != 6 || res.Updated != 0 {
		t.Errorf("result = %+v", res)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "Remarque") {
		t.Errorf("warnings = %q, want one naming the unknown column Remarque", res.Warnings)
	}
	checkInvoices(t, invoices(t, db), map[string]inv{
		"F2025-001":  {client: "C001", kind: "invoice", issue: "2025-01-15", due: "2025-03-31", amount: 123456, excl: cents(102880), settled: 23456, out: 100000},
		"F2025-002":  {client: "C001", kind: "invoice", issue: "2025-02-20", due: "2025-03-20", amount: 1200000, excl: cents(1000000), settled: 200000, out: 1000000},
		"F2025-003":  {client: "C002", kind: "invoice", issue: "2025-03-03", due: "2025-04-02", amount: 48000, excl: cents(40000), settled: 0, out: 48000},
		"AV2025-001": {client: "C001", kind: "credit_note", issue: "2025-03-10", due: "2025-04-09", amount: -23456, excl: cents(-19547), settled: -23456, out: 0, appliesTo: "F2025-001", closedOn: "2025-09-12"},
		"F2025-004":  {client: "C003", kind: "invoice", issue: "2025-02-28", due: "2025-03-30", amount: 150000, settled: 50000, out: 100000},
		"F2025-005":  {client: "C003", kind: "invoice", issue: "2024-12-31", due: "2025-01-15", amount: 300050, settled: 0, out: 300050},
	})
	type client struct {
		name   string
		emails []string
		locale *string
	}
	rows, err := db.Query(context.Background(), `SELECT code, name, emails, locale FROM client ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]client{}
	for rows.Next() {
		var code string
		var c client
		if err := rows.Scan(&code, &c.name, &c.emails, &c.locale); err != nil {
			t.Fatal(err)
		}
		got[code] = c
	}
	fr, de := "fr", "de"
	want := map[string]client{
		"C001": {"Société Générale de Café", []string{"compta@cafe.fr", "relances@cafe.fr"}, &fr},
		"C002": {"Boulangerie Hélène", []string{"helene@pain.fr"}, &fr},
		"C003": {"Établissements Müller", []string{}, &de},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("clients = %+v\nwant %+v", got, want)
	}
	// The paid column and the credit note are dated allocations summing to settled.
	var allocs string
	if err := db.QueryRow(context.Background(), `SELECT string_agg(format('%s:%s:%s:%s', i.number, a.source, a.amount, a.applied_on), ' ' ORDER BY i.number, a.source)
		FROM allocation a JOIN invoice i ON i.id = a.invoice_id`).Scan(&allocs); err != nil {
		t.Fatal(err)
	}
	if want := "F2025-001:credit_note:23456:2025-09-12 F2025-002:import:200000:2025-09-12 F2025-004:import:50000:2025-09-12"; allocs != want {
		t.Errorf("allocations = %s\nwant %s", allocs, want)
	}
}

func TestReimportIsANoOp(t *testing.T) {
	for _, file := range []string{"testdata/factures_fr_cp1252.csv", "testdata/invoices_en.csv", "testdata/fec_small.txt"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			db := pgtest.NewDB(t)
			first := mustImport(t, db, file, opts())
			before := dump(t, db)
			second := mustImport(t, db, file, opts())
			if second.Created != 0 || second.Updated != 0 || second.Closed != 0 || second.Rows != first.Rows {
				t.Errorf("second import = %+v, want nothing created or updated", second)
			}
			if after := dump(t, db); after != before {
				t.Errorf("re-import changed the tables:\nbefore\n%s\nafter\n%s", before, after)
			}
			var batches int
			var sums []string
			rows, _ := db.Query(context.Background(), `SELECT checksum FROM import_batch ORDER BY id`)
			for rows.Next() {
				var s string
				_ = rows.Scan(&s)
				sums = append(sums, s)
				batches++
			}
			rows.Close()
			if batches != 2 || len(sums[0]) != 64 || sums[0] != sums[1] {
				t.Errorf("import_batch checksums = %q, want two equal sha256", sums)
			}
		})
	}
}

func TestEnglishCSV(t *testing.T) {
	db := pgtest.NewDB(t)
	res := mustImport(t, db, "testdata/invoices_en.csv", opts())
	if res.Encoding != "utf-8" || res.Created != 4 || len(res.Warnings) != 0 {
		t.Errorf("result = %+v", res)
	}
	checkInvoices(t, invoices(t, db), map[string]inv{
		"INV-1001": {client: "NAME:ACME-LTD", kind: "invoice", issue: "2025-06-15", due: "2025-07-31", amount: 125000, out: 125000},
		"INV-1002": {client: "NAME:ACME-LTD", kind: "invoice", issue: "2025-07-01", due: "2025-07-31", amount: 98050, settled: 25000, out: 73050},
		"INV-1003": {client: "NAME:GLOBEX-CORPORATION", kind: "invoice", issue: "2025-07-10", due: "2025-08-09", amount: 250000, out: 250000},
		"CN-1001":  {client: "NAME:ACME-LTD", kind: "credit_note", issue: "2025-07-05", due: "2025-08-04", amount: -25000, settled: -25000, appliesTo: "INV-1002", closedOn: "2025-09-12"},
	})
	var cur string
	var emails []string
	if err := db.QueryRow(context.Background(), `SELECT i.currency, c.emails FROM invoice i JOIN client c ON c.id = i.client_id WHERE number = 'INV-1003'`).Scan(&cur, &emails); err != nil {
		t.Fatal(err)
	}
	if cur != "EUR" || !reflect.DeepEqual(emails, []string{"billing@globex.com", "cfo@globex.com"}) {
		t.Errorf("INV-1003 currency %s emails %q", cur, emails)
	}
}

func TestXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.xlsx")
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	moneyStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00: the display must not matter
	rows := [][]any{
		{"Numéro facture", "Client", "Date facture", "Date échéance", "Montant TTC", "Montant HT", "Déjà réglé"},
		{"X-1", "Dupont SA", excelize.Cell{StyleID: dateStyle, Value: time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)}, excelize.Cell{StyleID: dateStyle, Value: time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)}, excelize.Cell{StyleID: moneyStyle, Value: 1234.56}, 1028.8, 0.1},
		{"X-2", "Dupont SA", excelize.Cell{StyleID: dateStyle, Value: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)}, nil, excelize.Cell{StyleID: moneyStyle, Value: 99999.99}, nil, nil},
		{"X-3", "Martin", "15/06/2025", "2025-07-15", "1 200,50", nil, "200"},
		{"X-4", "Martin", excelize.Cell{StyleID: dateStyle, Value: time.Date(2025, 6, 20, 0, 0, 0, 0, time.UTC)}, nil, -300, nil, nil},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	db := pgtest.NewDB(t)
	res := mustImport(t, db, path, opts())
	if res.Format != "xlsx" || res.Created != 4 {
		t.Errorf("result = %+v", res)
	}
	checkInvoices(t, invoices(t, db), map[string]inv{
		"X-1": {client: "NAME:DUPONT-SA", kind: "invoice", issue: "2025-01-31", due: "2025-03-02", amount: 123456, excl: cents(102880), settled: 10, out: 123446},
		"X-2": {client: "NAME:DUPONT-SA", kind: "invoice", issue: "2024-02-29", due: "2024-03-30", amount: 9999999, out: 9999999},
		"X-3": {client: "NAME:MARTIN", kind: "invoice", issue: "2025-06-15", due: "2025-07-15", amount: 120050, settled: 20000, out: 100050},
		"X-4": {client: "NAME:MARTIN", kind: "credit_note", issue: "2025-06-20", due: "2025-07-20", amount: -30000, out: -30000},
	})
}

func TestFEC(t *testing.T) {
	db := pgtest.NewDB(t)
	res := mustImport(t, db, "testdata/fec_small.txt", opts())
	if res.Format != "fec" || res.Rows != 5 || res.Created != 5 {
		t.Errorf("result = %+v", res)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "C003 (Bernard & Fils)") ||
		!strings.Contains(res.Warnings[0], "open items 0.00") || !strings.Contains(res.Warnings[0], "balance 100.00") {
		t.Errorf("warnings = %q, want one about C003's 100.00 difference", res.Warnings)
	}
	checkInvoices(t, invoices(t, db), map[string]inv{
		"FA2024-120": {client: "C001", kind: "invoice", issue: "2024-12-15", due: "2025-01-14", amount: 150000, out: 150000},
		"FA2025-002": {client: "C002", kind: "invoice", issue: "2025-03-01", due: "2025-03-31", amount: 360000, out: 360000},
		"FA2025-010": {client: "C002", kind: "invoice", issue: "2025-06-15", due: "2025-07-15", amount: 120000, out: 120000},
		"AV2025-001": {client: "C002", kind: "credit_note", issue: "2025-06-20", due: "2025-07-20", amount: -20000, out: -20000},
		"FA2025-030": {client: "411DIV", kind: "invoice", issue: "2025-08-01", due: "2025-08-31", amount: 50000, out: 50000},
	})
	var name string
	if err := db.QueryRow(context.Background(), `SELECT name FROM client WHERE code = 'C002'`).Scan(&name); err != nil || name != "Martin SARL" {
		t.Errorf("C002 name = %q (%v)", name, err)
	}
	// On 2025-09-25 the lettering of FA2025-002 and its payment are effective.
	later := opts()
	later.AsOf = clock.Date(2025, 9, 25)
	later.Snapshot = true
	res = mustImport(t, db, "testdata/fec_small.txt", later)
	if res.Rows != 4 || res.Closed != 1 {
		t.Errorf("later import = %+v, want FA2025-002 closed", res)
	}
}

func TestSnapshotClosesWhatDisappeared(t *testing.T) {
	db := pgtest.NewDB(t)
	mustImport(t, db, "testdata/factures_fr_cp1252.csv", opts())
	// The same ledger a week later: F2025-003 and F2025-005 were paid.
	src, err := os.ReadFile("testdata/factures_fr_cp1252.csv")
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.SplitAfter(string(src), "\r\n") {
		if !strings.HasPrefix(l, "F2025-003;") && !strings.HasPrefix(l, "F2025-005;") {
			kept = append(kept, l)
		}
	}
	path := filepath.Join(t.TempDir(), "week2.csv")
	if err := os.WriteFile(path, []byte(strings.Join(kept, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	o := opts()
	o.AsOf = clock.Date(2025, 9, 19)
	o.Snapshot = true
	res := mustImport(t, db, path, o)
	if res.Closed != 2 || res.Created != 0 || res.Updated != 0 {
		t.Errorf("snapshot = %+v, want 2 closed", res)
	}
	got := invoices(t, db)
	for _, n := range []string{"F2025-003", "F2025-005"} {
		if g := got[n]; g.out != 0 || g.settled != g.amount || g.closedOn != "2025-09-19" {
			t.Errorf("%s after snapshot: %+v", n, g)
		}
	}
	if g := got["F2025-002"]; g.out != 1000000 || g.closedOn != "" {
		t.Errorf("F2025-002 must stay open: %+v", g)
	}
	var n int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM allocation WHERE source = 'snapshot_close' AND applied_on = '2025-09-19'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("snapshot_close allocations = %d (%v)", n, err)
	}
	var closed int
	if err := db.QueryRow(context.Background(), `SELECT closed FROM import_batch ORDER BY id DESC LIMIT 1`).Scan(&closed); err != nil || closed != 2 {
		t.Errorf("import_batch.closed = %d (%v)", closed, err)
	}
	// F2025-003 comes back (the payment bounced): it is open again.
	o.AsOf = clock.Date(2025, 9, 26)
	res = mustImport(t, db, "testdata/factures_fr_cp1252.csv", o)
	if res.Closed != 0 {
		t.Errorf("third import closed %d", res.Closed)
	}
	got = invoices(t, db)
	if g := got["F2025-003"]; g.out != 48000 || g.settled != 0 || g.closedOn != "" {
		t.Errorf("F2025-003 listed again must be open: %+v", g)
	}
	if g := got["F2025-005"]; g.out != 300050 || g.closedOn != "" {
		t.Errorf("F2025-005 listed again must be open: %+v", g)
	}
}

func TestBadRowsImportNothing(t *testing.T) {
	db := pgtest.NewDB(t)
	_, err := ImportInvoices(context.Background(), db, "testdata/bad_rows.csv", opts())
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an *ImportError", err)
	}
	want := []string{
		"testdata/bad_rows.csv:3: invoice_number: missing invoice number",
		"testdata/bad_rows.csv:4: client_name: missing client (neither client_id nor client_name)",
		`testdata/bad_rows.csv:5: issue_date: invalid date "32/01/2025": no day 32 in that month`,
		`testdata/bad_rows.csv:6: amount: invalid amount "1,234,56": two decimal separators`,
		"testdata/bad_rows.csv:7: amount: missing amount",
		"testdata/bad_rows.csv:8: issue_date: missing issue date",
		`testdata/bad_rows.csv:9: invoice_number: duplicate invoice "F1" (first on line 2) with a different amount, client or kind`,
		`testdata/bad_rows.csv:10: due_date: invalid date "2025-13-01": want dd/mm/yyyy, dd/mm/yy or yyyy-mm-dd`,
	}
	var got []string
	for _, e := range ie.Errors {
		got = append(got, e.Error())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if dump(t, db) != "" {
		t.Errorf("a bad file left state behind:\n%s", dump(t, db))
	}
	var batches int
	_ = db.QueryRow(context.Background(), `SELECT count(*) FROM import_batch`).Scan(&batches)
	if batches != 0 {
		t.Errorf("%d import batches recorded for a rejected file", batches)
	}
}

func TestFileWideErrors(t *testing.T) {
	db := pgtest.NewDB(t)
	path := filepath.Join(t.TempDir(), "dupes.csv")
	body := "invoice_number,client_id,issue_date,amount,kind,applies_to\n" +
		"A1,C1,2025-01-01,100.00,,\n" +
		"A1,C1,2025-01-01,100.00,,\n" + // an exact repeat is harmless
		"A2,C1,2025-01-01,100.00,,\n" +
		"A2,C1,2025-01-01,120.00,,\n" +
		"CN1,C1,2025-01-02,-10.00,avoir,NOPE\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ImportInvoices(context.Background(), db, path, opts())
	var ie *ImportError
	if !errors.As(err, &ie) || ie.Total != 2 {
		t.Fatalf("err = %v, want 2 errors", err)
	}
	msg := err.Error()
	for _, w := range []string{
		path + `:5: invoice_number: duplicate invoice "A2" (first on line 4) with a different amount`,
		path + `:6: applies_to: invoice "NOPE" is neither in this import nor in the ledger`,
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
}

func TestManyErrorsAreSummarised(t *testing.T) {
	var b strings.Builder
	b.WriteString("invoice_number;client_id;issue_date;amount\n")
	for i := range 120 {
		fmt.Fprintf(&b, "F%d;C1;not a date;1,00\n", i)
	}
	path := filepath.Join(t.TempDir(), "many.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ImportInvoices(context.Background(), pgtest.NewDB(t), path, opts())
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 52 || lines[len(lines)-1] != "… and 70 more errors" || !strings.HasPrefix(lines[1], path+":2: issue_date:") {
		t.Errorf("got %d lines, first %q last %q", len(lines), lines[1], lines[len(lines)-1])
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	db := pgtest.NewDB(t)
	o := opts()
	o.DryRun = true
	res := mustImport(t, db, "testdata/factures_fr_cp1252.csv", o)
	if res.Created != 6 || res.BatchID != 0 {
		t.Errorf("dry run = %+v", res)
	}
	if d := dump(t, db); d != "" {
		t.Errorf("dry run wrote:\n%s", d)
	}
}

// An import records one event for the file, by its actor, and none when
// nothing goes in; an unknown entity is the ledger's not-found.
func TestOneEventPerImport(t *testing.T) {
	db := pgtest.NewDB(t)
	mustImport(t, db, "testdata/factures_fr_cp1252.csv", opts())
	if _, err := ImportInvoices(context.Background(), db, "testdata/bad_rows.csv", opts()); err == nil {
		t.Fatal("bad_rows.csv imported")
	}
	var events int
	var actor, kind string
	if err := db.QueryRow(context.Background(), `SELECT count(*) OVER (), actor, kind FROM event`).Scan(&events, &actor, &kind); err != nil {
		t.Fatal(err)
	}
	if events != 1 || actor != "test" || kind != "invoices_batch" {
		t.Errorf("%d events, the first %s by %s", events, kind, actor)
	}
	o := opts()
	o.Entity = "acme"
	_, err := ImportInvoices(context.Background(), db, "testdata/factures_fr_cp1252.csv", o)
	if !errors.Is(err, ledger.ErrNotFound) || !strings.Contains(err.Error(), `entity "acme": not found (known: default`) {
		t.Errorf("unknown entity: %v", err)
	}
}

func TestPayments(t *testing.T) {
	db := pgtest.NewDB(t)
	mustImport(t, db, "testdata/factures_fr_cp1252.csv", opts())
	path := filepath.Join(t.TempDir(), "reglements.csv")
	body := "Numéro facture;Date règlement;Montant;Référence;Code client\n" +
		"F2025-003;10/04/2025;300,00;VIR1;\n" +
		"F2025-003;20/04/2025;300,00;VIR2;\n" +
		";05/05/2025;50,00;CHQ9;C003\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := ImportPayments(context.Background(), db, path, opts())
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 3 || res.Unallocated != 12000+5000 {
		t.Errorf("payments = %+v, want 3 created, 170.00 unallocated", res)
	}
	g := invoices(t, db)["F2025-003"]
	if g.settled != 48000 || g.out != 0 || g.closedOn != "2025-04-20" {
		t.Errorf("F2025-003 = %+v, want settled by the two payments on 2025-04-20", g)
	}
	var allocs string
	_ = db.QueryRow(context.Background(), `SELECT string_agg(format('%s:%s:%s', p.reference, a.amount, a.applied_on), ' ' ORDER BY p.reference)
		FROM allocation a JOIN payment p ON p.id = a.payment_id`).Scan(&allocs)
	if allocs != "VIR1:30000:2025-04-10 VIR2:18000:2025-04-20" {
		t.Errorf("allocations = %s", allocs)
	}
	before := dump(t, db)
	res, err = ImportPayments(context.Background(), db, path, opts())
	if err != nil || res.Created != 0 {
		t.Fatalf("second import = %+v, %v", res, err)
	}
	if after := dump(t, db); after != before {
		t.Errorf("re-import changed the tables:\n%s\n%s", before, after)
	}
	// A re-import of the invoices after the payments records no `paid` difference.
	again := mustImport(t, db, "testdata/factures_fr_cp1252.csv", opts())
	if again.Updated != 0 || dump(t, db) != before {
		t.Errorf("invoice re-import after payments changed state: %+v", again)
	}

	bad := filepath.Join(t.TempDir(), "bad.csv")
	_ = os.WriteFile(bad, []byte("invoice_number,date,amount\nZZZ,2025-04-01,10.00\nF2025-001,2025-04-01,-5\n"), 0o600)
	_, err = ImportPayments(context.Background(), db, bad, opts())
	if err == nil || !strings.Contains(err.Error(), bad+`:2: invoice_number: no invoice "ZZZ"`) || !strings.Contains(err.Error(), bad+":3: amount: a payment must be positive") {
		t.Errorf("err = %v", err)
	}
}

// The `paid` column of an invoice file and a payments file often describe the
// same money: the payments date what `paid` counted. Importing both must not
// settle the invoice twice.
func TestPaymentsDateWhatTheInvoiceFileCountedAsPaid(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	mustImport(t, db, "testdata/factures_fr_cp1252.csv", opts()) // F2025-002: 12 000,00, paid 2 000,00
	path := filepath.Join(t.TempDir(), "reglements.csv")
	body := "Numéro facture;Date règlement;Montant;Référence\n" +
		"F2025-002;01/03/2025;1 500,00;VIR1\n" + // converts 1 500 of the 2 000 already counted
		"F2025-002;25/03/2025;800,00;VIR2\n" // converts the last 500, settles 300 more
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := ImportPayments(ctx, db, path, opts())
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 2 || res.Unallocated != 0 {
		t.Errorf("payments = %+v, want 2 created, nothing unallocated", res)
	}
	// 12 000,00 − 2 000,00 (paid) − 300,00 (beyond what paid counted) = 9 700,00.
	if g := invoices(t, db)["F2025-002"]; g.settled != 230000 || g.out != 970000 {
		t.Errorf("F2025-002 = %+v, want settled 2 300,00 and 9 700,00 outstanding", g)
	}
	var undated int64
	if err := db.QueryRow(ctx, `SELECT COALESCE(sum(a.amount), 0) FROM allocation a JOIN invoice i ON i.id = a.invoice_id
		WHERE i.number = 'F2025-002' AND a.source = 'import'`).Scan(&undated); err != nil {
		t.Fatal(err)
	}
	if undated != 0 {
		t.Errorf("undated settlement left = %d, want 0: the payments dated all of it", undated)
	}
	// Re-importing the invoice file with paid = 2 000,00 now changes nothing:
	// the ERP's `paid` is covered by dated payments.
	before := dump(t, db)
	if again := mustImport(t, db, "testdata/factures_fr_cp1252.csv", opts()); again.Updated != 0 || dump(t, db) != before {
		t.Errorf("invoice re-import after payments changed state: %+v", again)
	}
}
