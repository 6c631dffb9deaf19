package ledger_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// d reads a date; tests pin every date.
func d(s string) time.Time {
	t, err := clock.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

// by is alice at the CLI on day.
func by(day string) ledger.Act { return ledger.Act{Actor: "cli:alice", Day: d(day)} }

// fixture writes invoices and payments straight in SQL, for the tests of
// what is recorded about them (batch_test.go writes them through the store).
type fixture struct {
	t    *testing.T
	pool *pgxpool.Pool
}

func newFixture(t *testing.T) (fixture, *ledger.Store) {
	t.Helper()
	pool := pgtest.NewDB(t)
	return fixture{t, pool}, ledger.New(pool, ledger.Options{
		DisputeReasons:   []string{"price", "quantity", "quality", "delivery", "billing", "other"},
		PromiseGraceDays: 3,
	})
}

func (f fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.pool.Exec(context.Background(), sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f fixture) id(sql string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (f fixture) client(code string) int64 {
	return f.id(`INSERT INTO client (entity_id, code, name, emails) VALUES (1, $1, 'Client ' || $1, '{compta@client.example}') RETURNING id`, code)
}

func (f fixture) invoice(client int64, number, issued, due string, amount int64) int64 {
	return f.id(`INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, amount_incl_vat)
		VALUES (1, $1, $2, CASE WHEN $5 < 0 THEN 'credit_note' ELSE 'invoice' END, $3, $4, $5) RETURNING id`,
		client, number, d(issued), d(due), amount)
}

// pay allocates a payment of amount to an invoice on day, as the importer does.
func (f fixture) pay(invoice int64, day string, amount int64) {
	f.exec(`WITH p AS (INSERT INTO payment (entity_id, client_id, received_on, amount, allocated)
			SELECT 1, client_id, $2, $3, $3 FROM invoice WHERE id = $1 RETURNING id),
		a AS (INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on) SELECT $1, 'payment', id, $3, $2 FROM p)
		UPDATE invoice SET settled = settled + $3 WHERE id = $1`, invoice, d(day), amount)
}

// events returns "kind actor day reason" for every event of a client.
func (f fixture) events(client int64) []string {
	f.t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT kind || ' ' || actor || ' ' || coalesce(day::text, '-') || ' ' || coalesce(reason, '')
		FROM event WHERE client_id = $1 ORDER BY id`, client)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one saying %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not say %q", err, p)
		}
	}
}

func wantNotFound(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("err = %v, want ledger.ErrNotFound", err)
	}
}

func TestEveryWriteNeedsAnActorAndADay(t *testing.T) {
	f, s := newFixture(t)
	f.client("C1")
	ctx := context.Background()
	if _, err := s.PauseClient(ctx, ledger.Act{Day: d("2025-09-01")}, "C1", "r", time.Time{}); err == nil {
		t.Error("a pause without an actor was recorded")
	}
	if _, err := s.PauseClient(ctx, ledger.Act{Actor: "cli:alice"}, "C1", "r", time.Time{}); err == nil {
		t.Error("a pause without a day was recorded")
	}
}
