package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

// The statements of an invoice batch, in sql/.
var (
	//go:embed sql/batch_invoice_stage.sql
	batchInvoiceStageSQL string
	//go:embed sql/batch_invoice_duplicates.sql
	batchInvoiceDuplicatesSQL string
	//go:embed sql/batch_invoice_drop_repeats.sql
	batchInvoiceDropRepeatsSQL string
	//go:embed sql/batch_invoice_unknown_targets.sql
	batchInvoiceUnknownTargetsSQL string
	//go:embed sql/batch_snapshot_count.sql
	batchSnapshotCountSQL string
	//go:embed sql/batch_invoice_says.sql
	batchInvoiceSaysSQL string
	//go:embed sql/batch_clients_collect.sql
	batchClientsCollectSQL string
	//go:embed sql/batch_clients_update.sql
	batchClientsUpdateSQL string
	//go:embed sql/batch_clients_insert.sql
	batchClientsInsertSQL string
	//go:embed sql/batch_invoices_upsert.sql
	batchInvoicesUpsertSQL string
	//go:embed sql/batch_alloc.sql
	batchAllocSQL string
	//go:embed sql/batch_alloc_reopen.sql
	batchAllocReopenSQL string
	//go:embed sql/batch_paid_new.sql
	batchPaidNewSQL string
	//go:embed sql/batch_alloc_paid.sql
	batchAllocPaidSQL string
	//go:embed sql/batch_credit_notes_link.sql
	batchCreditNotesLinkSQL string
	//go:embed sql/batch_alloc_credit_notes.sql
	batchAllocCreditNotesSQL string
	//go:embed sql/batch_settle.sql
	batchSettleSQL string
	//go:embed sql/batch_snapshot_close.sql
	batchSnapshotCloseSQL string
	//go:embed sql/batch_invoice_moves.sql
	batchInvoiceMovesSQL string
)

// BatchInvoice is one invoice or credit note of a batch, checked by its
// reader. A nil pointer is "not said": it leaves what the ledger has.
type BatchInvoice struct {
	Line       int // its line in the file, or its index in an API body
	Number     string
	ClientCode string
	Issued     time.Time
	Due        time.Time
	Terms      *string // as written ("45 FDM"), kept for the record
	Amount     money.Amount
	AmountExcl *money.Amount
	// Paid is what the source says is settled (a new invoice is created
	// with it; for a known one the difference is recorded).
	Paid      *money.Amount
	Currency  string
	Kind      string  // invoice or credit_note
	AppliesTo *string // a credit note's invoice
	// Client is what the row says about its client; Client.Name is its name.
	Client ClientPatch
}

// InvoiceBatch is a batch of invoices and credit notes staged in the
// caller's transaction: Copy the rows, read Problems, then Apply.
type InvoiceBatch struct {
	stage
	bulkMinRows int // Options.BulkMinRows
	said        clientSayings
	numbers     numberFilter // the numbers staged, for the duplicate check
	lines       lineSpan     // the first and last line staged, for the bulk path's ids
	// dropped says Problems dropped exact repeats from the stage: what
	// they alone said of their clients is no longer collected.
	dropped bool
	// linked says Problems computed the bulk path's link of the credit
	// notes (invoice_bulk_link), from which it read the unknown targets.
	linked bool
	// What its reader left out (Unchanged): whether those rows say what is
	// paid, and for a snapshot the open items absent from the file (nil:
	// the reader left nothing out).
	unchangedPaid bool
	absent        []int64
	open          int64 // open items when the reader read the sources
}

// StageInvoices opens a batch of invoices of the store's entity in tx, the
// caller's transaction, which commits or rolls back everything the batch
// does. One transaction holds one invoice batch at a time.
func (s *Store) StageInvoices(ctx context.Context, tx pgx.Tx) (*InvoiceBatch, error) {
	st, err := s.openStage(ctx, tx, stage{kind: "invoices", table: "invoice_stage"}, batchInvoiceStageSQL)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, batchInvoiceClientSaidSQL); err != nil {
		return nil, fmt.Errorf("ledger: stage invoices: %w", err)
	}
	if _, err := tx.Exec(ctx, batchClientSaidUnchangedSQL); err != nil {
		return nil, fmt.Errorf("ledger: stage invoices: %w", err)
	}
	return &InvoiceBatch{stage: st, bulkMinRows: s.opts.BulkMinRows}, nil
}

// Problems runs the checks that need the whole batch: an invoice number
// listed twice with a different amount, client or kind (an exact repeat is
// harmless: it is dropped from the batch), and a credit note applied to an
// invoice that is neither in the batch nor in the ledger. refused are the
// numbers of the rows the reader refused: a credit note applied to one of
// them names an invoice that is in the batch, only wrong.
func (b *InvoiceBatch) Problems(ctx context.Context, refused []string) ([]RowProblem, error) {
	// Fresh statistics, or the planner guesses the size of a temp table.
	if _, err := b.tx.Exec(ctx, `ANALYZE invoice_stage (line, number, client_code, kind, paid, applies_to)`); err != nil {
		return nil, err
	}
	problems, repeats, err := b.duplicates(ctx)
	if err != nil {
		return nil, fmt.Errorf("ledger: check invoices: %w", err)
	}
	if repeats {
		if _, err := b.tx.Exec(ctx, batchInvoiceDropRepeatsSQL); err != nil {
			return nil, fmt.Errorf("ledger: check invoices: %w", err)
		}
		b.dropped = true
	}
	if refused == nil {
		refused = []string{}
	}
	unknown, err := b.unknownTargetsSQL(ctx)
	if err != nil {
		return nil, fmt.Errorf("ledger: check invoices: %w", err)
	}
	rows, err := b.tx.Query(ctx, unknown, b.entityID, refused)
	if err != nil {
		return nil, fmt.Errorf("ledger: check invoices: %w", err)
	}
	var line int32
	var target string
	_, err = pgx.ForEachRow(rows, []any{&line, &target}, func() error {
		problems = append(problems, RowProblem{Line: int(line), Field: "applies_to",
			Reason: fmt.Sprintf("invoice %s is neither in this import nor in the ledger", Quote(target))})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: check invoices: %w", err)
	}
	return problems, nil
}

// duplicates reports the numbers listed twice with different contents, and
// whether any number is listed twice at all.
func (b *InvoiceBatch) duplicates(ctx context.Context) ([]RowProblem, bool, error) {
	among := b.numbers.among()
	if among != nil && len(among) == 0 {
		return nil, false, nil // no number staged twice
	}
	rows, err := b.tx.Query(ctx, batchInvoiceDuplicatesSQL, among)
	if err != nil {
		return nil, false, err
	}
	var problems []RowProblem
	var repeats bool
	var number string
	var lines []int32
	var conflicting bool
	_, err = pgx.ForEachRow(rows, []any{&number, &lines, &conflicting}, func() error {
		repeats = true
		if conflicting {
			for _, l := range lines[1:] {
				problems = append(problems, RowProblem{Line: int(l), Field: "number",
					Reason: fmt.Sprintf("duplicate invoice %s (first on line %d) with a different amount, client or kind", Quote(number), lines[0])})
			}
		}
		return nil
	})
	return problems, repeats, err
}

// Moves reports the rows that would move an invoice the ledger has to
// another client or currency although it already has reminders or
// settlements (Field client or currency): the API refuses them as a
// conflict rather than rewrite what was sent and paid. Call it before Apply.
func (b *InvoiceBatch) Moves(ctx context.Context) ([]RowProblem, error) {
	rows, err := b.tx.Query(ctx, batchInvoiceMovesSQL, b.entityID)
	if err != nil {
		return nil, fmt.Errorf("ledger: check invoices: %w", err)
	}
	var problems []RowProblem
	var line int32
	var field, number, client, currency string
	_, err = pgx.ForEachRow(rows, []any{&line, &field, &number, &client, &currency}, func() error {
		p := RowProblem{Line: int(line), Field: field,
			Reason: fmt.Sprintf("invoice %s of client %s has reminders or settlements: its client cannot change", Quote(number), Quote(client))}
		if field == "currency" {
			p.Reason = fmt.Sprintf("invoice %s in %s has reminders or settlements: its currency cannot change", Quote(number), currency)
		}
		problems = append(problems, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: check invoices: %w", err)
	}
	return problems, nil
}

// SnapshotCloses counts what applying the batch as a snapshot would close:
// the open items of the entity missing from it, out of all its open items.
func (b *InvoiceBatch) SnapshotCloses(ctx context.Context) (closing, open int, err error) {
	if err := b.tx.QueryRow(ctx, batchSnapshotCountSQL, b.entityID, b.absent, b.open).Scan(&closing, &open); err != nil {
		return 0, 0, fmt.Errorf("ledger: count what the snapshot would close: %w", err)
	}
	return closing, open, nil
}

// Applied says what a batch changed (or, rolled back, would have changed).
type Applied struct {
	Batch          int64 // its import_batch row
	Rows           int   // rows staged
	Created        int   // invoices, or payments, recorded for the first time
	Updated        int   // invoices that changed
	Closed         int   // open invoices a snapshot closed
	ClientsCreated int
	ClientsUpdated int
	Snapshot       bool
	Alerts         int          // credit-limit alerts raised (alert_credit_limit)
	Unallocated    money.Amount // payments: what no invoice took (unapplied credits)
	// Bulk says the invoices went in by the bulk path (invoice_bulk.go):
	// how, not what, so it is on no record.
	Bulk bool
	// Analyzed says the batch wrote a large share of the ledger and
	// analysed its tables before the commit (batch_analyze.go).
	Analyzed bool
}

// Apply writes the staged invoices to the ledger: clients created or
// updated with what the batch says of them, invoices upserted by number,
// `paid` settlements, credit notes applied, and with snapshot, the open
// invoices missing from the batch closed as settled on by.Day. It records
// one import_batch row and one event (invoices_batch) with by's actor and
// the counts.
func (b *InvoiceBatch) Apply(ctx context.Context, by Act, src BatchSource, snapshot bool) (Applied, error) {
	a, err := b.apply(ctx, by, src, snapshot)
	if err != nil {
		return a, fmt.Errorf("ledger: apply invoices of %s: %w", src.Name, err)
	}
	return a, nil
}

func (b *InvoiceBatch) apply(ctx context.Context, by Act, src BatchSource, snapshot bool) (Applied, error) {
	a := Applied{Rows: b.rows + b.unchanged, Snapshot: snapshot}
	if err := by.check(); err != nil {
		return a, err
	}
	var err error
	if a.Batch, err = b.record(ctx, by, src, snapshot); err != nil {
		return a, err
	}
	if err := b.applyClients(ctx, &a); err != nil {
		return a, err
	}
	if err := b.writeInvoices(ctx, &a, by.Day); err != nil {
		return a, err
	}
	if err := b.applySettlements(ctx, a.Batch, by.Day, a.Bulk); err != nil {
		return a, err
	}
	if a.Bulk {
		// After the settlements: what they update in invoice, before its
		// indexes are back, costs no index entry.
		if err := b.endBulk(ctx); err != nil {
			return a, err
		}
	}
	touched := batchInvoiceClientsSQL
	if snapshot {
		if err := b.tx.QueryRow(ctx, batchSnapshotCloseSQL, b.entityID, a.Batch, by.Day, b.absent).Scan(&a.Closed); err != nil {
			return a, fmt.Errorf("close invoices missing from the snapshot: %w", err)
		}
		// What it says of the open items is all there is: payment data,
		// and any client's balance may have fallen.
		b.settles, touched = true, ""
	}
	return a, b.finish(ctx, by, src, &a, touched)
}

// writeInvoices creates and updates the staged invoices: by the bulk path
// into an empty table, else by an upsert.
func (b *InvoiceBatch) writeInvoices(ctx context.Context, a *Applied, day time.Time) error {
	if b.bulkEligible() {
		bulk, err := b.beginBulk(ctx)
		if err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		if bulk {
			a.Bulk = true
			a.Created, err = b.insertBulk(ctx, a.Batch, day)
			return err
		}
	}
	if err := b.tx.QueryRow(ctx, batchInvoicesUpsertSQL, b.entityID, a.Batch, day).Scan(&a.Created, &a.Updated); err != nil {
		return fmt.Errorf("upsert invoices: %w", err)
	}
	return nil
}

// applyClients creates the clients the ledger does not have and updates
// the others with what the batch says.
func (b *InvoiceBatch) applyClients(ctx context.Context, a *Applied) error {
	if _, err := b.tx.Exec(ctx, batchClientsCollectSQL, b.dropped); err != nil {
		return fmt.Errorf("collect clients: %w", err)
	}
	return b.writeClients(ctx, a)
}

// applySettlements records what settles the staged invoices: closures
// reversed for invoices listed again, `paid` amounts and credit notes.
// After the bulk path every invoice is new, its `paid` recorded and its
// credit notes linked and applied already (batch_invoices_bulk.sql).
func (b *InvoiceBatch) applySettlements(ctx context.Context, batch int64, day time.Time, bulk bool) error {
	var paid, creditNotes bool
	if err := b.tx.QueryRow(ctx, batchInvoiceSaysSQL).Scan(&paid, &creditNotes); err != nil {
		return err
	}
	b.settles = paid || b.unchangedPaid
	if _, err := b.tx.Exec(ctx, batchAllocSQL); err != nil {
		return err
	}
	if err := b.settle(ctx, batchAllocReopenSQL, "snapshot_close", batch, day); err != nil {
		return fmt.Errorf("reopen invoices listed again: %w", err)
	}
	if paid && !bulk {
		if _, err := b.tx.Exec(ctx, batchPaidNewSQL, b.entityID, batch, day); err != nil {
			return fmt.Errorf("record paid amounts: %w", err)
		}
		if err := b.settle(ctx, batchAllocPaidSQL, "import", batch, day); err != nil {
			return fmt.Errorf("record paid amounts: %w", err)
		}
	}
	if creditNotes && !bulk {
		if _, err := b.tx.Exec(ctx, batchCreditNotesLinkSQL, b.entityID); err != nil {
			return fmt.Errorf("link credit notes: %w", err)
		}
		if err := b.settle(ctx, batchAllocCreditNotesSQL, "credit_note", batch, day); err != nil {
			return fmt.Errorf("apply credit notes: %w", err)
		}
	}
	return nil
}

// settle runs selectSQL, one of the batch_alloc_*.sql statements, which
// fills batch_alloc for the entity, then records those allocations with
// source (sql/batch_settle.sql).
func (b *InvoiceBatch) settle(ctx context.Context, selectSQL, source string, batch int64, day time.Time) error {
	if _, err := b.tx.Exec(ctx, selectSQL, b.entityID); err != nil {
		return err
	}
	_, err := b.tx.Exec(ctx, batchSettleSQL, source, batch, day)
	return err
}
