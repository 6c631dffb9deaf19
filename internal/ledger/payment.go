package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

//go:embed sql/payments.sql
var paymentsSQL string

// Payment is money received from a client; the part not allocated to an
// invoice is an unapplied credit.
type Payment struct {
	ID          int64
	Client      string
	Reference   string
	Received    time.Time
	Currency    string
	Amount      money.Amount
	Unallocated money.Amount
	Invoice     string // the invoice number it was paid against, when the source said
}

// Payments lists the client's payments, newest first.
func (s *Store) Payments(ctx context.Context, client string) ([]Payment, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, paymentsSQL, entity, client)
	if err != nil {
		return nil, fmt.Errorf("ledger: payments of %s: %w", client, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Payment, error) {
		var p Payment
		err := r.Scan(&p.ID, &p.Client, &p.Reference, &p.Received, &p.Currency, &p.Amount, &p.Unallocated, &p.Invoice)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: payments of %s: %w", client, err)
	}
	return out, nil
}
