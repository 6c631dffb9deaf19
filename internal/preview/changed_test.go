package preview

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestChangedOnlyReads: the upcoming page asks Changed on every load, and
// pages only read, so it answers inside a read-only transaction; and it
// sees a payment committed after the report's snapshot, but not one rolled
// back.
func TestChangedOnlyReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rep, _, db := previewSeed(t, "")

	changed := func() bool {
		t.Helper()
		var got bool
		err := pgx.BeginTxFunc(ctx, db, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			var err error
			got, err = Changed(ctx, tx, rep)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if changed() {
		t.Fatal("changed before anything was written")
	}
	errRolledBack := errors.New("rolled back on purpose")

	pay := `INSERT INTO payment (entity_id, client_id, reference, received_on, amount, currency)
	        SELECT entity_id, id, 'VIR-CHANGED', DATE '2025-09-12', 100, 'EUR' FROM client ORDER BY id LIMIT 1`
	if err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, pay); err != nil {
			return err
		}
		return errRolledBack
	}); !errors.Is(err, errRolledBack) {
		t.Fatal(err)
	}
	if changed() {
		t.Fatal("a rolled back payment changed the forecast")
	}
	if _, err := db.Exec(ctx, pay); err != nil {
		t.Fatal(err)
	}
	if !changed() {
		t.Fatal("a payment committed after the snapshot did not change the forecast")
	}
}
