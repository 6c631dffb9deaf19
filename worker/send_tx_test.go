package worker

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/relance/relance/internal/pgtest"
)

// TestPipelinedSendTransaction: an email's BEGIN travels with its lock
// statement and its COMMIT with the mark (send_tx.go). The lock must hold
// until the commit (were BEGIN lost, the statement would run in a
// transaction of its own and release the rows at once); a mark that fails
// must commit nothing and leave the rows pending and free; and every
// connection goes back to the pool idle.
func TestPipelinedSendTransaction(t *testing.T) {
	ctx := t.Context()
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	f.invoice(f.client("P", "p@client.example"), "FA-P1", "2025-08-01", "2025-09-01", 100000)
	day := d("2025-09-02")
	res := sweepDay(t, pool, &Sweeper{Plans: standardPlan(), Calendars: frCalendars}, insertOnlyClient(t, pool), day)
	if len(res.Jobs) != 1 || len(res.Jobs[0].ReminderIDs) != 1 {
		t.Fatalf("jobs %+v, want one of one row", res.Jobs)
	}
	ids := res.Jobs[0].ReminderIDs
	w := &SendWorker{Pool: pool}
	lockedElsewhere := func() bool {
		t.Helper()
		_, err := pool.Exec(ctx, `SELECT id FROM reminder WHERE id = ANY ($1) FOR UPDATE NOWAIT`, ids)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "55P03" {
			return true
		}
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	idle := func(when string) {
		t.Helper()
		if n := pool.Stat().AcquiredConns(); n != 0 {
			t.Errorf("%s: %d connections still taken from the pool", when, n)
		}
	}

	tx, lk, err := w.beginLocked(ctx, ids, day)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a failed test gives its connection back
	if len(lk.rows) != 1 || lk.rows[0].status != "pending" || lk.client.Code != "P" {
		t.Fatalf("locked %+v", lk)
	}
	if !lockedElsewhere() {
		t.Fatal("the rows are not locked after the pipelined BEGIN and lock: the lock ran outside a transaction")
	}
	if err := tx.execCommit(ctx, `UPDATE reminder SET status = 'bogus' WHERE id = ANY ($1)`, ids); err == nil {
		t.Fatal("a mark refused by the status check committed")
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if got := queryStrings(t, pool, `SELECT status FROM reminder`); len(got) != 1 || got[0] != "pending" || lockedElsewhere() {
		t.Errorf("after a failed mark: %v, locked %v; want pending and free", got, lockedElsewhere())
	}
	idle("after the rollback")

	tx, _, err = w.beginLocked(ctx, ids, day)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a failed test gives its connection back
	if err := tx.execCommit(ctx, markSentSQL, ids, "m@x", int64(1), day, day); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Errorf("rollback after commit: %v, want a no-op", err)
	}
	if got := queryStrings(t, pool, `SELECT status || ' ' || message_id FROM reminder`); len(got) != 1 || got[0] != "sent m@x" || lockedElsewhere() {
		t.Errorf("after the mark: %v, locked %v; want sent and free", got, lockedElsewhere())
	}
	idle("after the commit")
}
