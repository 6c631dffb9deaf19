package database_test

import (
	"context"
	"errors"
	"testing"

	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestMigrateCreatesRelanceAndRiverTables(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	for _, table := range []string{"entity", "client", "invoice", "payment", "allocation", "dispute", "promise", "reminder", "provision", "import_batch", "task", "event", "river_job", "river_leader"} {
		var exists bool
		if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if !exists {
			t.Errorf("table %s missing after migrate", table)
		}
	}
	if err := database.CheckSchema(ctx, pool); err != nil {
		t.Fatalf("CheckSchema on a migrated database: %v", err)
	}
	// A second run applies nothing.
	res, err := database.Migrate(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Relance) != 0 || len(res.River) != 0 {
		t.Errorf("second migrate applied %+v, want nothing", res)
	}
}

func TestCheckSchemaRefusesAnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	if _, err := pool.Exec(ctx, "DROP TABLE goose_db_version"); err != nil {
		t.Fatal(err)
	}
	err := database.CheckSchema(ctx, pool)
	if !errors.Is(err, database.ErrSchemaOutdated) {
		t.Fatalf("CheckSchema = %v, want ErrSchemaOutdated", err)
	}
}

func TestReminderLedgerRefusesASecondSendOfTheSameStep(t *testing.T) {
	ctx := context.Background()
	tx := pgtest.Tx(t)
	_, err := tx.Exec(ctx, `
		INSERT INTO client (entity_id, code, name) VALUES (1, 'C1', 'Dupont SARL');
		INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		VALUES (1, 1, 'F1', '2025-01-01', '2025-01-31', 120000);
		INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, due_on)
		VALUES (1, 1, 'standard', 'level1', 1, 'email', '2025-02-03');`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, due_on)
		VALUES (1, 1, 'standard', 'level1', 1, 'email', '2025-02-04')`)
	if err == nil {
		t.Fatal("a second reminder for (invoice, step) was accepted")
	}
}
