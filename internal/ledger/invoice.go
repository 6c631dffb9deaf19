package ledger

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

var (
	//go:embed sql/invoices.sql
	invoicesSQL string
	//go:embed sql/invoice_lock.sql
	invoiceLockSQL string
)

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
	// Version changes with every change of the invoice's row (its
	// PostgreSQL xmin): the API's ETag, compared with If-Match.
	Version int64
}

// Invoices lists the client's invoices and credit notes by due date; open
// ones only when open is set.
func (s *Store) Invoices(ctx context.Context, client string, open bool) ([]Invoice, error) {
	out, err := s.invoices(ctx, client, open, nil)
	if err != nil {
		return nil, fmt.Errorf("ledger: invoices of %s: %w", client, err)
	}
	return out, nil
}

// Invoice returns the invoice or credit note numbered number.
func (s *Store) Invoice(ctx context.Context, number string) (Invoice, error) {
	out, err := s.invoices(ctx, "", false, &number)
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%w in entity %s", ErrNotFound, s.opts.Entity)
	}
	if err != nil {
		return Invoice{}, fmt.Errorf("ledger: invoice %s: %w", number, err)
	}
	return out[0], nil
}

func (s *Store) invoices(ctx context.Context, client string, open bool, number *string) ([]Invoice, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, invoicesSQL, entity, client, open, number)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invoice, error) {
		var i Invoice
		var closed *time.Time
		err := r.Scan(&i.ID, &i.Number, &i.Client, &i.Kind, &i.Issued, &i.Due, &i.Currency, &i.Amount, &i.Outstanding,
			&i.AppliesTo, &i.Excluded, &closed, &i.Version)
		i.Closed = dateOf(closed)
		return i, err
	})
}

// LockInvoice locks the invoice numbered number until the end of the
// transaction the store sits on, and returns its version: a writer that
// checks the version it read (If-Match) then writes in that transaction
// cannot lose another writer's change. An unknown invoice is ErrNotFound.
func (s *Store) LockInvoice(ctx context.Context, number string) (int64, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return 0, err
	}
	var v int64
	err = s.db.QueryRow(ctx, invoiceLockSQL, entity, number).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("ledger: lock invoice %s: %w in entity %s", number, ErrNotFound, s.opts.Entity)
	}
	if err != nil {
		return 0, fmt.Errorf("ledger: lock invoice %s: %w", number, err)
	}
	return v, nil
}
