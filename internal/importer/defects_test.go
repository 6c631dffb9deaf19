package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/relance/relance/internal/pgtest"
)

// The input defects of issue 10 ("What is broken", 6, 7, 9 and 10), each
// reproduced as it was reported; each of these tests failed before the fix.

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Defect 6: `victim@x.com\r\nBcc: evil@y.com` imported with exit 0.
func TestDefect6HeaderInjectionInEmailIsRefused(t *testing.T) {
	db := pgtest.NewDB(t)
	path := writeFile(t, "inject.csv", "invoice_number,client_id,issue_date,amount,email\r\n"+
		"F1,C1,2025-01-15,100.00,\"victim@x.com\r\nBcc: evil@y.com\"\r\n")
	_, err := ImportInvoices(context.Background(), db, path, opts())
	if err == nil {
		t.Fatal("an email cell holding a Bcc header was imported")
	}
	if !strings.Contains(err.Error(), path+":2: email: ") {
		t.Errorf("err = %v, want it at %s:2: email", err, path)
	}
	if d := dump(t, db); d != "" {
		t.Errorf("a refused file left state behind:\n%s", d)
	}
}

// Defect 7: `import invoices header_only.csv --snapshot` closed every open
// invoice, exit 0.
func TestDefect7EmptySnapshotClosesNothing(t *testing.T) {
	db := pgtest.NewDB(t)
	mustImport(t, db, "testdata/factures_fr_cp1252.csv", opts())
	before := dump(t, db)
	path := writeFile(t, "header_only.csv", "invoice_number;client_id;issue_date;amount\n")
	o := opts()
	o.Snapshot = true
	res, err := ImportInvoices(context.Background(), db, path, o)
	if err == nil {
		t.Fatalf("an empty snapshot was accepted: %+v", res)
	}
	if after := dump(t, db); after != before {
		t.Errorf("a refused snapshot changed the tables")
	}
	var se *SnapshotError
	if !errors.As(err, &se) || se.Closing != 5 || se.Open != 5 ||
		!strings.Contains(err.Error(), "a --snapshot with no rows would close all 5 open items; nothing imported") {
		t.Errorf("err = %v, want a *SnapshotError saying it would close all 5 open items", err)
	}
	o.Force = true
	if res := mustImport(t, db, path, o); res.Closed != 5 {
		t.Errorf("--force closed %d, want 5", res.Closed)
	}
}

// A snapshot that would close more than its share of the open items
// (default 50%) is refused without Force, and says how many out of how many.
func TestSnapshotThatClosesTooMuchIsRefused(t *testing.T) {
	db := pgtest.NewDB(t)
	mustImport(t, db, "testdata/factures_fr_cp1252.csv", opts()) // 5 open items
	path := writeFile(t, "partial.csv", "invoice_number;client_id;issue_date;amount\n"+
		"F2025-001;C001;15/01/2025;1234,56\nF2025-002;C001;20/02/2025;12000,00\n")
	o := opts()
	o.Snapshot = true
	before := dump(t, db)
	_, err := ImportInvoices(context.Background(), db, path, o)
	want := "partial.csv: this --snapshot would close 3 of the 5 open items (60.0%, more than the 50% allowed by import.snapshot_max_close); nothing imported"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if dump(t, db) != before {
		t.Error("a refused snapshot changed the tables")
	}
	o.DryRun = true
	if _, err := ImportInvoices(context.Background(), db, path, o); err == nil {
		t.Error("a dry run accepted what the import refuses")
	}
	o.DryRun, o.SnapshotMaxClose = false, 0.6
	if res := mustImport(t, db, path, o); res.Closed != 3 {
		t.Errorf("at 60%% allowed, closed %d, want 3", res.Closed)
	}
}

// Defect 9: the duplicate invoice F1 (lines 2 and 9 of bad_rows.csv, with
// different amounts) was reported only once the other bad rows were fixed.
func TestDefect9DuplicatesReportedWithTheBadRows(t *testing.T) {
	db := pgtest.NewDB(t)
	_, err := ImportInvoices(context.Background(), db, "testdata/bad_rows.csv", opts())
	if err == nil {
		t.Fatal("bad_rows.csv was imported")
	}
	want := `testdata/bad_rows.csv:9: invoice_number: duplicate invoice "F1" (first on line 2)`
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "bad_rows.csv:3: invoice_number: missing invoice number") {
		t.Errorf("err = %v\nwant the bad rows and %q in one pass", err, want)
	}
}

// Defect 10: a 10 MB client name was stored as it is, and an oversized cell
// printed an error line as long as the cell.
func TestDefect10OversizedCellIsRefusedWithAShortError(t *testing.T) {
	db := pgtest.NewDB(t)
	huge := strings.Repeat("A", 10<<20)
	path := writeFile(t, "huge.csv", "invoice_number;client_id;client_name;issue_date;amount\nF1;C1;"+huge+";15/01/2025;100,00\n")
	_, err := ImportInvoices(context.Background(), db, path, opts())
	if err == nil {
		var n int
		_ = db.QueryRow(context.Background(), `SELECT max(length(name)) FROM client`).Scan(&n)
		t.Fatalf("a 10 MB client name was imported (stored %d characters)", n)
	}
	if len(err.Error()) > 1000 || !strings.Contains(err.Error(), path+":2: client_name: ") {
		t.Errorf("err (%d bytes) = %.300s…, want a short error at %s:2: client_name", len(err.Error()), err, path)
	}
	if d := dump(t, db); d != "" {
		t.Errorf("a refused file left state behind")
	}
}

// Defect 10: a 100 KB XLSX holding one 100 MB cell took 1 GB of memory.
// What the import allocates, in all, is measured: it must stay far below the
// cell's size.
func TestDefect10OversizedXLSXCellTakesLittleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100 MB cell")
	}
	db := pgtest.NewDB(t)
	path := filepath.Join(t.TempDir(), "bomb.xlsx")
	if err := writeXLSXWithHugeCell(path, 100<<20); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Size() > 1<<20 {
		t.Fatalf("the test workbook is %d bytes, want a small one", st.Size())
	}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	_, err := ImportInvoices(context.Background(), db, path, opts())
	runtime.ReadMemStats(&m1)
	if err == nil {
		t.Fatal("a workbook with a 100 MB cell was imported")
	}
	if len(err.Error()) > 1000 {
		t.Errorf("the error is %d bytes long: %.200s…", len(err.Error()), err)
	}
	if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 64<<20 {
		t.Errorf("the import allocated %d MB for a 100 MB cell, want under 64 MB", alloc>>20)
	}
	if d := dump(t, db); d != "" {
		t.Errorf("a refused file left state behind")
	}
}

// The due-date rule of issue 10: ledgers hold invoices due before they were
// issued (opening entries re-booking old invoices, corrected invoices that
// keep their original due date). They are imported with a warning naming
// the line, not refused.
func TestDueDateBeforeIssueDateIsAWarning(t *testing.T) {
	db := pgtest.NewDB(t)
	path := writeFile(t, "corrected.csv", "invoice_number;client_id;issue_date;due_date;amount\n"+
		"F1;C1;15/01/2025;14/02/2025;100,00\n"+
		"F1-R;C1;20/03/2025;14/02/2025;90,00\n")
	res, err := ImportInvoices(context.Background(), db, path, opts())
	if err != nil {
		t.Fatalf("a due date before the issue date was refused: %v", err)
	}
	if res.Created != 2 {
		t.Errorf("result = %+v, want 2 created", res)
	}
	if g := invoices(t, db)["F1-R"]; g.issue != "2025-03-20" || g.due != "2025-02-14" {
		t.Errorf("F1-R = %+v, want the dates as given", g)
	}
	want := path + ":3: due_date: due date 2025-02-14 is before the issue date 2025-03-20"
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], want) {
		t.Errorf("warnings = %q, want one starting %q", res.Warnings, want)
	}
}
