package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/provision"
)

//go:embed sql/journal_entries.sql
var journalEntriesSQL string

// JournalEntries lists the journal entries of the store's entity dated from
// to to, inclusive, by day and invoice: the reclassifications, provisions
// and reversals the sweep booked (ReviewProvisions) and the write-offs
// people recorded (WriteOff).
func (s *Store) JournalEntries(ctx context.Context, from, to time.Time) ([]provision.Entry, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, journalEntriesSQL, entity, from, to)
	if err != nil {
		return nil, fmt.Errorf("ledger: journal %s to %s: %w", formatDay(from), formatDay(to), err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (provision.Entry, error) {
		var e provision.Entry
		var kind string
		err := r.Scan(&e.ID, &e.Day, &kind, &e.Cause, &e.Client, &e.ClientName, &e.Invoice, &e.Issued, &e.Currency,
			&e.Amount, &e.VAT, &e.Base, &e.RateBP, &e.TaxDeductible, &e.Doubtful, &e.Actor, &e.Reason)
		e.Kind = provision.Kind(kind)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: journal %s to %s: %w", formatDay(from), formatDay(to), err)
	}
	return out, nil
}
