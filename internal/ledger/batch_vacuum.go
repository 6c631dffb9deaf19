package ledger

import (
	"context"
	_ "embed"
	"fmt"
)

// A first import of 300,000 invoices leaves every page of invoice,
// allocation and client written but not yet vacuumed: no page is marked
// all-visible and no tuple carries its hint bits, so the first statements
// that read the whole ledger (the preview, the sweep) check every tuple's
// transaction and cannot use an index-only scan. `relance preview` of one
// day took minutes right after such an import and seconds once autovacuum
// had been through; ANALYZE alone did not help. Autovacuum comes when it
// comes (its insert threshold, its cost delay), so a batch that wrote a
// large share of the ledger vacuums the tables itself, after its commit.

var (
	//go:embed sql/batch_vacuum_size.sql
	batchVacuumSizeSQL string
	//go:embed sql/batch_vacuum.sql
	batchVacuumSQL string
)

// A batch vacuums when it wrote (created, updated or closed) more than
// VacuumShare of invoice's rows and at least VacuumMinRows: below that,
// autovacuum's own thresholds come soon enough.
const (
	VacuumShare   = 0.10
	VacuumMinRows = 10_000
)

// VacuumAfter runs VACUUM (ANALYZE) on the tables a batch writes when a,
// committed, wrote more than VacuumShare of the invoices, and says whether
// it did. Call it on the store's pool, after the batch's transaction has
// committed: VACUUM cannot run inside a transaction, and inside the batch's
// it would find nothing to mark.
func (s *Store) VacuumAfter(ctx context.Context, a Applied) (bool, error) {
	written := int64(a.Created + a.Updated + a.Closed)
	if written < VacuumMinRows {
		return false, nil
	}
	var rows int64
	if err := s.db.QueryRow(ctx, batchVacuumSizeSQL).Scan(&rows); err != nil {
		return false, fmt.Errorf("ledger: vacuum after batch %d: %w", a.Batch, err)
	}
	if float64(written) <= VacuumShare*float64(rows) {
		return false, nil
	}
	if _, err := s.db.Exec(ctx, batchVacuumSQL); err != nil {
		return false, fmt.Errorf("ledger: vacuum after batch %d: %w", a.Batch, err)
	}
	return true, nil
}
