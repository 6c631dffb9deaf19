package migrations_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestProvisionsMigration takes a database back to before 00050, with the
// proposals the old sweep made (one of them of 0), and forward again: the
// proposal of 0 is gone, the others are booked on the day they were
// proposed (reclassified and provisioned) with the profile of their step.
func TestProvisionsMigration(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 49); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `
		WITH c AS (INSERT INTO client (entity_id, code, name) VALUES (1, 'C', 'Client') RETURNING id),
		i AS (INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		      SELECT 1, c.id, n, '2025-01-01', '2025-02-01', 120000 FROM c, unnest(ARRAY['F1', 'F0']) n RETURNING id, client_id, number),
		r AS (INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, due_on, status)
		      SELECT id, client_id, 'risky', 'provision', -1, 'action', '2025-05-03', 'sent' FROM i)
		INSERT INTO provision (invoice_id, client_id, proposed_on, bucket, currency, outstanding_incl_vat, outstanding_excl_vat, rate_bp, amount)
		SELECT id, client_id, '2025-05-03', CASE number WHEN 'F1' THEN 'd121_plus' ELSE 'd91_120' END, 'EUR', 120000, 100000,
		       CASE number WHEN 'F1' THEN 10000 ELSE 0 END, CASE number WHEN 'F1' THEN 100000 ELSE 0 END FROM i`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 50); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT i.number || ' ' || p.profile || ' ' || p.cause FROM provision p JOIN invoice i ON i.id = p.invoice_id`)
	if err != nil {
		t.Fatal(err)
	}
	proposals, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	rows, err = pool.Query(ctx, `SELECT i.number || ' ' || e.day || ' ' || e.kind || ' ' || e.amount FROM journal_entry e JOIN invoice i ON i.id = e.invoice_id ORDER BY e.id`)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	if got, want := strings.Join(proposals, "; "), "F1 risky age"; got != want {
		t.Errorf("proposals: %s, want %s", got, want)
	}
	if got, want := strings.Join(entries, "; "), "F1 2025-05-03 reclassification 120000; F1 2025-05-03 provision 100000"; got != want {
		t.Errorf("journal: %s, want %s", got, want)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
}
