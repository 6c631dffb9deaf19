package ledger_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

// manyInvoices are n new invoices of 100 clients, numbered from first.
func manyInvoices(first, n int) []ledger.BatchInvoice {
	rows := make([]ledger.BatchInvoice, 0, n)
	for i := first; i < first+n; i++ {
		client := fmt.Sprintf("C%03d", i%100)
		rows = append(rows, ledger.BatchInvoice{Line: i + 2, Number: fmt.Sprintf("F-%06d", i), ClientCode: client,
			Issued: d("2025-06-01"), Due: d("2025-07-01"), Amount: money.Amount(10_000 + i), Currency: "EUR",
			Kind: "invoice", Client: ledger.ClientPatch{Name: ptr("Client " + client)}})
	}
	return rows
}

// counted returns the rows the statistics count in table (-1: never
// analysed).
func counted(t *testing.T, f fixture, table string) float64 {
	t.Helper()
	var n float64
	if err := f.pool.QueryRow(context.Background(), `SELECT reltuples FROM pg_class WHERE oid = $1::regclass`, table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLargeBatchAnalysesTheLedger(t *testing.T) {
	for _, minRows := range []int{0, -1} { // the bulk path and the upsert
		t.Run(fmt.Sprintf("BulkMinRows %d", minRows), func(t *testing.T) {
			f, _ := newFixture(t)
			s := ledger.New(f.pool, ledger.Options{BulkMinRows: minRows})
			first := manyInvoices(0, ledger.AnalyzeMinRows+500)
			a, problems := applyInvoices(t, f, s, by("2025-09-01"), false, first...)
			if len(problems) > 0 {
				t.Fatal(problems)
			}
			if !a.Analyzed || a.Bulk != (minRows == 0) {
				t.Errorf("first batch of %d invoices: analysed %v, bulk %v; want true, %v", a.Created, a.Analyzed, a.Bulk, minRows == 0)
			}
			if n := counted(t, f, "client"); n != 100 {
				t.Errorf("the statistics count %v clients after the first batch, want 100", n)
			}
			if n := counted(t, f, "invoice"); n != float64(len(first)) {
				t.Errorf("the statistics count %v invoices after the first batch, want %d", n, len(first))
			}
			// A daily batch: a few new invoices, then the same again unchanged.
			for _, rows := range [][]ledger.BatchInvoice{manyInvoices(len(first), 200), first} {
				a, _ := applyInvoices(t, f, s, by("2025-09-02"), false, rows...)
				if a.Analyzed {
					t.Errorf("a batch that created %d and updated %d invoices analysed the ledger", a.Created, a.Updated)
				}
			}
		})
	}
}
