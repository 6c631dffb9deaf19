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

// allVisible returns how many pages of invoice the visibility map marks
// all-visible, as VACUUM last counted them.
func allVisible(t *testing.T, f fixture) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), `SELECT relallvisible FROM pg_class WHERE oid = 'invoice'::regclass`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestVacuumAfterALargeBatchOnly(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	first := manyInvoices(0, ledger.VacuumMinRows+500)
	a, problems := applyInvoices(t, f, s, by("2025-09-01"), false, first...)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	vacuumed, err := s.VacuumAfter(ctx, a)
	if err != nil || !vacuumed {
		t.Fatalf("after a first batch of %d invoices: vacuumed %v, %v; want true", a.Created, vacuumed, err)
	}
	if n := allVisible(t, f); n == 0 {
		t.Error("invoice has no all-visible page after the VACUUM")
	}

	// A daily batch: a few new invoices and the same again, unchanged.
	for _, rows := range [][]ledger.BatchInvoice{manyInvoices(len(first), 200), first} {
		a, _ := applyInvoices(t, f, s, by("2025-09-02"), false, rows...)
		vacuumed, err := s.VacuumAfter(ctx, a)
		if err != nil || vacuumed {
			t.Errorf("after a batch that created %d and updated %d invoices: vacuumed %v, %v; want false", a.Created, a.Updated, vacuumed, err)
		}
	}
	// Updates count as creations do: 10,000 of 10,700 invoices is more
	// than a tenth, by invoice's statistics.
	if vacuumed, err := s.VacuumAfter(ctx, ledger.Applied{Updated: ledger.VacuumMinRows, Batch: 9}); err != nil || !vacuumed {
		t.Errorf("10,000 invoices updated of 10,700: vacuumed %v, %v; want true", vacuumed, err)
	}
}
