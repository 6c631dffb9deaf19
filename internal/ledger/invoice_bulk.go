package ledger

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The bulk path of an invoice batch. A first import of a million invoices
// spent most of its time keeping invoice's indexes and foreign keys up to
// date row by row: a btree insertion per index and a trigger per foreign
// key for every row. When the invoice table is empty, the batch instead
// drops them (ledger_invoice_bulk_begin, migration 00130), inserts the
// staged rows in one plain INSERT … SELECT with what their `paid` and their
// credit notes settle (the normal path computes the same after its upsert:
// batch_invoices_bulk.sql), and rebuilds each index in one sort and checks
// each foreign key in one join (ledger_invoice_bulk_end). Everything else —
// the batch-wide checks before, clients, the import_batch row and the
// event — is the normal path's, so both give the same ledger and the same
// event.
//
// Only when the whole table is empty, never for an empty entity beside
// others: the table is shared, and its indexes cannot go while another
// entity's rows are read through them. The ACCESS EXCLUSIVE lock this takes
// holds the other statements on invoice until the import commits (and the
// writers of client, whose key the rebuild checks); on an empty table they
// have nothing to read. A lock that does not come within bulkLockTimeout (a
// long reader, another import) sends the batch down the normal path rather
// than queue every reader behind it.

var (
	//go:embed sql/batch_invoices_bulk.sql
	batchInvoicesBulkSQL string
	//go:embed sql/batch_bulk_begin.sql
	batchBulkBeginSQL string
	//go:embed sql/batch_bulk_lock.sql
	batchBulkLockSQL string
	//go:embed sql/batch_bulk_end.sql
	batchBulkEndSQL string
	//go:embed sql/batch_bulk_memory.sql
	batchBulkMemorySQL string
	//go:embed sql/batch_bulk_link.sql
	batchBulkLinkSQL string
	//go:embed sql/batch_bulk_triggers_off.sql
	batchBulkTriggersOffSQL string
	//go:embed sql/batch_bulk_fill.sql
	batchBulkFillSQL string
	//go:embed sql/batch_bulk_triggers_on.sql
	batchBulkTriggersOnSQL string
	//go:embed sql/batch_bulk_maybe.sql
	batchBulkMaybeSQL string
	//go:embed sql/batch_bulk_unknown_targets.sql
	batchBulkUnknownTargetsSQL string
)

// DefaultBulkMinRows is the fewest rows that take the bulk path: below it,
// rebuilding the indexes costs more than maintaining them.
const DefaultBulkMinRows = 10_000

// bulkLockTimeout bounds the wait for the lock of the bulk path. It is
// below PostgreSQL's deadlock_timeout (1 s by default): a batch holding
// client while it waits for invoice, beside one that read invoice and now
// waits for client, must give up first, before the other's deadlock check
// can choose the other as the victim (TestTwoFirstImportsAtOnce failed so
// on a loaded machine, the other batch refused at "update clients").
const bulkLockTimeout = "500ms"

// bulkEligible says whether the batch is large enough for the bulk path.
func (b *InvoiceBatch) bulkEligible() bool {
	switch {
	case b.bulkMinRows < 0:
		return false
	case b.bulkMinRows == 0:
		return b.rows >= DefaultBulkMinRows
	}
	return b.rows >= b.bulkMinRows
}

// unknownTargetsSQL returns the statement that finds the credit notes
// applied to an invoice neither in the batch nor in the ledger. For a batch
// that may take the bulk path, it computes the link of the credit notes
// with the rows they name first (batch_bulk_link.sql), which the bulk
// insert reads too, and finds them in it: the check's own join with the
// batch, every number hashed, cost as much as the link (0.4 s at 1M).
// Other batches keep the check's join: an invoice table with rows takes
// the normal path, which links by the ledger.
func (b *InvoiceBatch) unknownTargetsSQL(ctx context.Context) (string, error) {
	if !b.bulkEligible() {
		return batchInvoiceUnknownTargetsSQL, nil
	}
	var maybe bool
	if err := b.tx.QueryRow(ctx, batchBulkMaybeSQL).Scan(&maybe); err != nil || !maybe {
		return batchInvoiceUnknownTargetsSQL, err
	}
	if _, err := b.tx.Exec(ctx, batchBulkLinkSQL); err != nil {
		return "", err
	}
	b.linked = true
	return batchBulkUnknownTargetsSQL, nil
}

// beginBulk takes the invoice table for the bulk path when it is empty and
// returns whether it did. In a savepoint: when the table has rows, or its
// lock does not come in time, rolling back releases the lock and the batch
// goes down the normal path.
func (b *InvoiceBatch) beginBulk(ctx context.Context) (bool, error) {
	sp, err := b.tx.Begin(ctx)
	if err != nil {
		return false, err
	}
	var ok bool
	err = sp.QueryRow(ctx, batchBulkBeginSQL, bulkLockTimeout).Scan(&ok)
	if err == nil && ok {
		// sweep_wake, allocation and client_balance, which insertBulk
		// writes under a stronger lock than a write's.
		_, err = sp.Exec(ctx, batchBulkLockSQL, bulkLockTimeout)
	}
	var pgErr *pgconn.PgError
	switch {
	case err == nil && ok:
		return true, sp.Commit(ctx)
	case err == nil, errors.As(err, &pgErr) && (pgErr.Code == "55P03" || pgErr.Code == "40P01"):
		// lock_not_available, deadlock_detected: another writer holds the
		// tables; it keeps them and this batch takes the normal path.
		return false, sp.Rollback(ctx)
	}
	_ = sp.Rollback(ctx)
	return false, err
}

// insertBulk inserts the staged invoices into the emptied table as batch,
// with their `paid` allocations and their credit notes applied, and returns
// how many. Invoice's statement triggers on insert are dropped for the
// insert (disabled, they still had their transition table filled) and put
// back, and what they write is written after it, from the table: filling their
// transition table with a million rows and writing sweep_wake and
// client_balance from it, sweep_wake an index entry at a time, cost a
// third of the insert (migration 00210; client_balance by a plain insert
// since 00230, under the lock beginBulk takes). ANALYZE gives the
// statements that follow, until endBulk, a table of a million rows to plan
// for rather than an empty one.
func (b *InvoiceBatch) insertBulk(ctx context.Context, batch int64, day time.Time) (int, error) {
	// The clients the batch just created, counted, or the planner takes the
	// batch's join with them for a few rows and hashes the whole batch to
	// link a few credit notes. The link itself comes from Problems, unless
	// the caller applies without it.
	steps := []string{`ANALYZE client`, batchBulkTriggersOffSQL}
	if !b.linked {
		steps = append(steps, batchBulkLinkSQL)
	}
	for _, q := range steps {
		if _, err := b.tx.Exec(ctx, q); err != nil {
			return 0, fmt.Errorf("insert invoices: %w", err)
		}
	}
	tag, err := b.tx.Exec(ctx, batchInvoicesBulkSQL, b.entityID, batch, day, b.lines.first, b.lines.last)
	if err != nil {
		return 0, fmt.Errorf("insert invoices: %w", err)
	}
	n := int(tag.RowsAffected())
	// The fill builds sweep_wake's indexes: with the rebuild's memory.
	if _, err := b.tx.Exec(ctx, batchBulkMemorySQL); err != nil {
		return 0, fmt.Errorf("insert invoices: %w", err)
	}
	if _, err := b.tx.Exec(ctx, batchBulkFillSQL, batch); err != nil {
		return 0, fmt.Errorf("insert invoices: what the triggers write: %w", err)
	}
	for _, q := range []string{batchBulkTriggersOnSQL, `ANALYZE invoice`} {
		if _, err := b.tx.Exec(ctx, q); err != nil {
			return 0, fmt.Errorf("insert invoices: %w", err)
		}
	}
	return n, nil
}

// lineSpan is the first and last line of the rows a batch staged: the bulk
// insert reserves an id for each line between them, and reading them off
// the stage took a scan of it (0.1 s of CPU at 1M).
type lineSpan struct {
	first, last int
	any         bool
}

func (s *lineSpan) add(line int) {
	switch {
	case !s.any:
		s.first, s.last, s.any = line, line, true
	case line < s.first:
		s.first = line
	case line > s.last:
		s.last = line
	}
}

// endBulk rebuilds the indexes and checks the keys the bulk path dropped.
func (b *InvoiceBatch) endBulk(ctx context.Context) error {
	if _, err := b.tx.Exec(ctx, batchBulkMemorySQL); err != nil {
		return fmt.Errorf("build the invoice indexes: %w", err)
	}
	if _, err := b.tx.Exec(ctx, batchBulkEndSQL); err != nil {
		return fmt.Errorf("build the invoice indexes: %w", err)
	}
	return nil
}
