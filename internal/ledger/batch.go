package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

// A batch is many invoices or payments written at once: a file import, and
// the API's batch writes. Its reader checks each row (with the checks of
// this package: ClientPatch, NormalizeCurrency…) and COPies the good ones
// into a TEMP staging table inside the caller's transaction; the store
// then checks what needs the whole batch (duplicates, unknown invoices) and
// applies it to the ledger in a few set-based statements, whatever its
// size, recording one import_batch row and one event. The caller commits,
// or rolls back for a dry run.

var (
	//go:embed sql/batch_insert.sql
	batchInsertSQL string
	//go:embed sql/batch_counts.sql
	batchCountsSQL string
	//go:embed sql/freshness_record.sql
	freshnessRecordSQL string
	//go:embed sql/credit_limit_alerts.sql
	creditLimitAlertsSQL string
	//go:embed sql/batch_invoice_clients.sql
	batchInvoiceClientsSQL string
	//go:embed sql/batch_payment_clients.sql
	batchPaymentClientsSQL string
)

// BatchSource says where a batch comes from, for its import_batch row and
// its event: a file's base name, sha256 and format (csv, xlsx, fec), or the
// API's name for a request with the sha256 of its body and format json.
type BatchSource struct {
	Name     string
	Checksum string
	Format   string
	// AsOf is the instant the batch's data was true: when the ERP or the
	// bank exported the file, when the API's caller read its books. The
	// freshness guard holds an entity's sends while its payment data is
	// older than sweep.max_data_age (see Freshness). Zero means the moment
	// the batch is applied, by the database's clock.
	AsOf time.Time
}

// RowProblem is a row of a batch the ledger refuses once it sees the whole
// batch. Line is the row's line in its file (its index in an API body);
// Field is the ledger's name of the field at fault (number, applies_to,
// client, invoice). Each check reports at most its first 1,000: a hopeless
// batch has enough to fix with those.
type RowProblem struct {
	Line   int
	Field  string
	Reason string
}

// tuneSession gives this transaction the memory a large batch needs: the
// staging table lives in temp_buffers (8MB by default, after which every page
// is written out) and the hash aggregates and joins over it in work_mem
// (4MB by default, after which they spill to disk). temp_buffers can only
// change before the session first touches a temporary table, hence the
// savepoint: on a reused session the default stays, which is only slower.
func tuneSession(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '256MB'`); err != nil {
		return err
	}
	sp, err := tx.Begin(ctx)
	if err != nil {
		return err
	}
	if _, err := sp.Exec(ctx, `SET LOCAL temp_buffers = '512MB'`); err != nil {
		return sp.Rollback(ctx)
	}
	return sp.Commit(ctx)
}

// stage is what a batch of either kind holds: what it stages (invoices or
// payments) into which table, its transaction, its entity and the rows
// COPied so far.
type stage struct {
	kind     string // invoices, payments, clients
	table    string
	columns  []string
	tx       pgx.Tx
	entityID int64
	rows     int
	// unchanged are the rows its reader left out, the ledger having them
	// as they are (InvoiceBatch.Unchanged): counted with the batch's rows.
	unchanged int
	// settles says the batch brings payment data: a payment batch, or an
	// invoice batch that is a snapshot or says what is paid.
	settles bool
}

// openStage resolves the entity, tunes the session and creates the staging
// table of st (createSQL).
func (s *Store) openStage(ctx context.Context, tx pgx.Tx, st stage, createSQL string) (stage, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return st, err // it names the entity and the known ones
	}
	if err = tuneSession(ctx, tx); err == nil {
		_, err = tx.Exec(ctx, createSQL)
	}
	if err != nil {
		return st, fmt.Errorf("ledger: stage %s: %w", st.kind, err)
	}
	st.tx, st.entityID = tx, entity
	return st, nil
}

// Copy COPies rows (each BatchPayment.Values or BatchClient.Values) into
// the staging table and returns how many. It may be called several times.
func (st *stage) Copy(ctx context.Context, rows pgx.CopyFromSource) (int, error) {
	n, err := st.tx.CopyFrom(ctx, pgx.Identifier{st.table}, st.columns, rows)
	st.rows += int(n)
	if err != nil {
		return int(n), fmt.Errorf("ledger: stage %s: copy into %s: %w", st.kind, st.table, err)
	}
	return int(n), nil
}

// record inserts the batch's import_batch row and returns its id.
func (st *stage) record(ctx context.Context, by Act, src BatchSource, snapshot bool) (int64, error) {
	var id int64
	if err := st.tx.QueryRow(ctx, batchInsertSQL, st.entityID, st.kind, src.Name, src.Checksum, src.Format,
		snapshot, by.Day, st.rows+st.unchanged, nullDate(src.AsOf)).Scan(&id); err != nil {
		return 0, fmt.Errorf("record the batch: %w", err)
	}
	return id, nil
}

// finish writes what the batch changed on its import_batch row and its one
// event: who applied it, on which day, and the counts, never an event per
// row. After a batch that wrote a large share of the ledger it analyses
// the ledger's tables. It records the as-of of the data the batch brings
// (data_freshness) and raises the credit-limit alerts of the clients it
// touched (clientsSQL lists them; "" means every client of the entity,
// after a snapshot).
func (st *stage) finish(ctx context.Context, by Act, src BatchSource, a *Applied, clientsSQL string) error {
	if _, err := st.tx.Exec(ctx, batchCountsSQL, a.Batch, a.Created, a.Updated, a.Closed); err != nil {
		return err
	}
	if err := st.analyze(ctx, a); err != nil {
		return err
	}
	// Freshness is kept for invoices and payments, what the guard reads; a
	// batch of clients says nothing of what is owed or paid.
	var kinds []string
	switch st.kind {
	case "invoices":
		kinds = []string{"invoices"}
		if st.settles {
			kinds = append(kinds, "payments")
		}
	case "payments":
		kinds = []string{"payments"}
	}
	if len(kinds) > 0 {
		if _, err := st.tx.Exec(ctx, freshnessRecordSQL, st.entityID, kinds, a.Batch); err != nil {
			return fmt.Errorf("record the data's as-of: %w", err)
		}
	}
	var clients []int64 // nil: every client of the entity
	if clientsSQL != "" {
		if err := st.tx.QueryRow(ctx, clientsSQL, st.entityID).Scan(&clients); err != nil {
			return fmt.Errorf("credit limits: %w", err)
		}
	}
	if clients == nil || len(clients) > 0 {
		if err := st.tx.QueryRow(ctx, creditLimitAlertsSQL, st.entityID, clients, by.Actor, by.Day, a.Batch).Scan(&a.Alerts); err != nil {
			return fmt.Errorf("credit limits: %w", err)
		}
	}
	detail := map[string]any{"batch": a.Batch, "source": src.Name, "format": src.Format, "rows": a.Rows,
		"created": a.Created, "updated": a.Updated, "credit_alerts": a.Alerts}
	switch st.kind {
	case "invoices":
		detail["closed"] = a.Closed
		detail["clients_created"] = a.ClientsCreated
		detail["clients_updated"] = a.ClientsUpdated
		detail["snapshot"] = a.Snapshot
	case "payments":
		detail["unallocated"] = int64(a.Unallocated)
	}
	return event{kind: st.kind + "_batch", detail: detail, act: by}.insert(ctx, st.tx)
}

// nullable maps nil to SQL NULL.
func nullable[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullableAmount(p *money.Amount) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}
