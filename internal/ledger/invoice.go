package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

//go:embed sql/invoices.sql
var invoicesSQL string

// Invoice is an invoice or a credit note (negative Amount). The importer and
// the API write them; the store reads them.
type Invoice struct {
	ID          int64
	Number      string
	Client      string // client code
	Kind        string // invoice or credit_note
	Issued      time.Time
	Due         time.Time
	Currency    string
	Amount      money.Amount // incl. VAT
	Outstanding money.Amount // what remains, today
	AppliesTo   string       // a credit note's invoice; "" for none
	Excluded    bool         // never dunned
	Closed      time.Time    // settled in full or closed by a snapshot; zero while open
}

// Invoices lists the client's invoices and credit notes by due date; open
// ones only when open is set.
func (s *Store) Invoices(ctx context.Context, client string, open bool) ([]Invoice, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, invoicesSQL, entity, client, open)
	if err != nil {
		return nil, fmt.Errorf("ledger: invoices of %s: %w", client, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invoice, error) {
		var i Invoice
		var closed *time.Time
		err := r.Scan(&i.ID, &i.Number, &i.Client, &i.Kind, &i.Issued, &i.Due, &i.Currency, &i.Amount, &i.Outstanding,
			&i.AppliesTo, &i.Excluded, &closed)
		i.Closed = dateOf(closed)
		return i, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: invoices of %s: %w", client, err)
	}
	return out, nil
}
