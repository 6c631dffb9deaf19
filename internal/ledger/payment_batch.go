package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

// The statements of a payment batch, in sql/.
var (
	//go:embed sql/batch_payment_stage.sql
	batchPaymentStageSQL string
	//go:embed sql/batch_payment_resolve.sql
	batchPaymentResolveSQL string
	//go:embed sql/batch_payment_problems.sql
	batchPaymentProblemsSQL string
	//go:embed sql/batch_payment_new.sql
	batchPaymentNewSQL string
	//go:embed sql/batch_payment_insert.sql
	batchPaymentInsertSQL string
	//go:embed sql/batch_payment_alloc.sql
	batchPaymentAllocSQL string
	//go:embed sql/batch_payment_allocate.sql
	batchPaymentAllocateSQL string
	//go:embed sql/batch_payment_settle.sql
	batchPaymentSettleSQL string
	//go:embed sql/batch_payment_counts.sql
	batchPaymentCountsSQL string
)

// BatchPayment is one payment of a batch, checked by its reader: against an
// invoice, or, with only a client, an unapplied credit of that client.
type BatchPayment struct {
	Line      int     // its line in the file, or its index in an API body
	Invoice   *string // the invoice number it pays
	Client    *string // the client's code: needed when the invoice is unknown
	Received  time.Time
	Amount    money.Amount // > 0
	Reference *string
	Currency  string
}

// paymentStageColumns are the columns of payment_stage
// (sql/batch_payment_stage.sql) that COPY fills, in BatchPayment.Values order.
var paymentStageColumns = []string{"line", "invoice_number", "client_code", "received_on", "amount", "reference", "currency"}

// Values returns the row in staging column order for COPY, reusing buf.
func (r *BatchPayment) Values(buf []any) []any {
	return append(buf[:0], int32(r.Line), nullable(r.Invoice), nullable(r.Client), r.Received, int64(r.Amount),
		nullable(r.Reference), r.Currency)
}

// PaymentBatch is a batch of payments staged in the caller's transaction:
// Copy the rows, read Problems, then Apply.
type PaymentBatch struct {
	stage
}

// StagePayments opens a batch of payments of the store's entity in tx, the
// caller's transaction. One transaction holds one payment batch at a time.
func (s *Store) StagePayments(ctx context.Context, tx pgx.Tx) (*PaymentBatch, error) {
	st, err := s.openStage(ctx, tx, stage{kind: "payments", table: "payment_stage", columns: paymentStageColumns}, batchPaymentStageSQL)
	if err != nil {
		return nil, err
	}
	return &PaymentBatch{stage: st}, nil
}

// Problems resolves each staged payment to its invoice and client, and
// reports those the ledger cannot take: an unknown client, an invoice of
// another client than the one named, an unknown invoice without a client.
// Call it once, after the last Copy.
func (b *PaymentBatch) Problems(ctx context.Context) ([]RowProblem, error) {
	if _, err := b.tx.Exec(ctx, batchPaymentResolveSQL, b.entityID); err != nil {
		return nil, fmt.Errorf("ledger: check payments: %w", err)
	}
	rows, err := b.tx.Query(ctx, batchPaymentProblemsSQL)
	if err != nil {
		return nil, fmt.Errorf("ledger: check payments: %w", err)
	}
	var problems []RowProblem
	var line int32
	var problem, invoice, client string
	_, err = pgx.ForEachRow(rows, []any{&line, &problem, &invoice, &client}, func() error {
		p := RowProblem{Line: int(line)}
		switch problem {
		case "unknown_client":
			p.Field, p.Reason = "client", fmt.Sprintf("no client %s", Quote(client))
		case "other_client":
			p.Field, p.Reason = "client", fmt.Sprintf("invoice %s belongs to another client", Quote(invoice))
		default:
			p.Field, p.Reason = "invoice", fmt.Sprintf("no invoice %s (name its client to record an unapplied payment)", Quote(invoice))
		}
		problems = append(problems, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: check payments: %w", err)
	}
	return problems, nil
}

// Apply records the staged payments, once each (the same client, invoice,
// date, amount and reference is never recorded twice), and allocates each
// to its invoice up to what the invoice still owes, in date order; the rest
// stays on the payment, an unapplied credit of the client. It records one
// import_batch row and one event (payments_batch) with by's actor and the
// counts. Problems must have run.
func (b *PaymentBatch) Apply(ctx context.Context, by Act, src BatchSource) (Applied, error) {
	a, err := b.apply(ctx, by, src)
	if err != nil {
		return a, fmt.Errorf("ledger: apply payments of %s: %w", src.Name, err)
	}
	return a, nil
}

func (b *PaymentBatch) apply(ctx context.Context, by Act, src BatchSource) (Applied, error) {
	a := Applied{Rows: b.rows}
	if err := by.check(); err != nil {
		return a, err
	}
	var err error
	if a.Batch, err = b.record(ctx, by, src, false); err != nil {
		return a, err
	}
	for _, st := range []struct {
		what string
		sql  string
		args []any
	}{
		{"stage new payments", batchPaymentNewSQL, nil},
		{"record payments", batchPaymentInsertSQL, []any{b.entityID, a.Batch}},
		{"allocate payments", batchPaymentAllocSQL, []any{b.entityID}},
		{"record allocations", batchPaymentAllocateSQL, []any{a.Batch}},
		{"settle invoices", batchPaymentSettleSQL, nil},
	} {
		if _, err := b.tx.Exec(ctx, st.sql, st.args...); err != nil {
			return a, fmt.Errorf("%s: %w", st.what, err)
		}
	}
	var unallocated int64
	if err := b.tx.QueryRow(ctx, batchPaymentCountsSQL).Scan(&a.Created, &unallocated); err != nil {
		return a, err
	}
	a.Unallocated = money.Amount(unallocated)
	b.settles = true
	return a, b.finish(ctx, by, src, &a, batchPaymentClientsSQL)
}
