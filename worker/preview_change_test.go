package worker

import (
	"context"
	"testing"

	"github.com/relance/relance/internal/pgtest"
)

// TestPrunePreviewChangesForgetsOnlyLongFinishedTransactions: a transaction
// found over (older than every one still running) is stamped, and
// forgotten PreviewChangesKept after; while an older one runs it is not.
func TestPrunePreviewChangesForgetsOnlyLongFinishedTransactions(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	running, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer running.Rollback(ctx) //nolint:errcheck // only held open
	// A write, even of no row, is noted.
	if _, err := running.Exec(ctx, `UPDATE client SET name = name WHERE false`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `UPDATE entity SET name = name WHERE false`); err != nil {
		t.Fatal(err)
	}
	// And one finished long ago, stamped then.
	if _, err := db.Exec(ctx, `INSERT INTO preview_change (xid, finished_at) VALUES ('3', now() - $1::interval - interval '1 minute')`,
		PreviewChangesKept); err != nil {
		t.Fatal(err)
	}
	count := func(want, wantStamped int, why string) {
		t.Helper()
		if err := PrunePreviewChanges(ctx, db); err != nil {
			t.Fatal(err)
		}
		var rows, stamped int
		if err := db.QueryRow(ctx, `SELECT count(*), count(finished_at) FROM preview_change`).Scan(&rows, &stamped); err != nil {
			t.Fatal(err)
		}
		if rows != want || stamped != wantStamped {
			t.Errorf("%s: %d rows, %d stamped finished; want %d and %d", why, rows, stamped, want, wantStamped)
		}
	}
	// The old one forgotten; the committed one not stamped yet: the
	// running transaction began before it, so a snapshot may still miss it.
	count(1, 0, "while a transaction runs")
	if err := running.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	count(2, 2, "once it committed")
}
