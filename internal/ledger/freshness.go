package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	//go:embed sql/freshness.sql
	freshnessSQL string
)

// Kinds of data a batch brings, as data_freshness records them.
const (
	DataInvoices = "invoices"
	DataPayments = "payments"
)

// Freshness is the newest data of one kind an entity has: the as-of of
// the batch that brought it (BatchSource.AsOf). Every batch records it, in
// its own transaction, for the file importer and the API alike; an invoice
// batch that settles (a snapshot, or a `paid` column) counts as payment
// data too, since it says what is still owed.
type Freshness struct {
	Entity string    // the entity's code
	Kind   string    // DataInvoices or DataPayments
	AsOf   time.Time // when that data was true
	Batch  int64     // the import_batch that brought it; 0 for none
	Source string    // its file's (or request's) name
}

// Freshness lists the newest data of each kind of the store's entity, or
// with all of every entity, by entity then kind. A kind the entity never
// received has no line.
func (s *Store) Freshness(ctx context.Context, all bool) ([]Freshness, error) {
	var code *string
	if !all {
		c := s.opts.Entity
		code = &c
	}
	rows, err := s.db.Query(ctx, freshnessSQL, code)
	if err != nil {
		return nil, fmt.Errorf("ledger: data freshness: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Freshness, error) {
		var f Freshness
		err := r.Scan(&f.Entity, &f.Kind, &f.AsOf, &f.Batch, &f.Source)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: data freshness: %w", err)
	}
	return out, nil
}
