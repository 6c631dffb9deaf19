package ledger_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/relance/relance/internal/ledger"
)

// Each invoice a batch writes keeps its row's hash, by the bulk path and by
// the upsert, with the `paid` and credit-note allocations the batch records
// for its own rows: a re-import of the same rows can leave them all out.
func TestBatchStoresEachRowsSourceHash(t *testing.T) {
	for name, bulk := range map[string]int{"bulk path": 1, "upsert": -1} {
		t.Run(name, func(t *testing.T) {
			f, _ := newFixture(t)
			s := ledger.New(f.pool, ledger.Options{BulkMinRows: bulk})
			rows := firstImport()
			a, _ := applyInvoices(t, f, s, by("2025-09-01"), false, rows...)
			if a.Bulk != (bulk == 1) {
				t.Fatalf("bulk path taken: %v", a.Bulk)
			}
			for _, r := range rows {
				var got pgtype.UUID
				if err := f.pool.QueryRow(context.Background(), `SELECT source_hash FROM invoice WHERE number = $1`, r.Number).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if !got.Valid || got.Bytes != r.SourceHash() {
					t.Errorf("%s: source_hash %v, want its row's", r.Number, got)
				}
			}
		})
	}
}

// The hash covers what a batch does with a row and nothing else.
func TestSourceHashCoversWhatABatchDoesWithTheRow(t *testing.T) {
	base := firstImport()[2]
	other := "x"
	amount := base.Amount + 1
	for name, change := range map[string]func(r *ledger.BatchInvoice){
		"number":      func(r *ledger.BatchInvoice) { r.Number += "x" },
		"client":      func(r *ledger.BatchInvoice) { r.ClientCode += "x" },
		"issued":      func(r *ledger.BatchInvoice) { r.Issued = r.Issued.AddDate(0, 0, 1) },
		"due":         func(r *ledger.BatchInvoice) { r.Due = r.Due.AddDate(0, 0, 1) },
		"terms":       func(r *ledger.BatchInvoice) { r.Terms = nil },
		"amount":      func(r *ledger.BatchInvoice) { r.Amount++ },
		"amount excl": func(r *ledger.BatchInvoice) { r.AmountExcl = &amount },
		"paid said":   func(r *ledger.BatchInvoice) { r.Paid = &r.Amount },
		"currency":    func(r *ledger.BatchInvoice) { r.Currency = "USD" },
		"kind":        func(r *ledger.BatchInvoice) { r.Kind = "credit_note" },
		"applies to":  func(r *ledger.BatchInvoice) { r.AppliesTo = &other },
	} {
		r := base
		change(&r)
		if r.SourceHash() == base.SourceHash() {
			t.Errorf("%s changed, the hash did not", name)
		}
	}
	r := base
	r.Line += 10
	r.Client.Name = &other
	if r.SourceHash() != base.SourceHash() {
		t.Error("the line or what the row says of its client changed the hash")
	}
}
