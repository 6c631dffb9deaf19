package ledger

import (
	"context"
	_ "embed"
	"fmt"
)

// A first import of 300,000 invoices left client and allocation without
// statistics (never analysed: the planner takes them for a few rows), and
// the first statements that read the whole ledger planned on that: `relance
// preview --days 1` ran for more than 15 minutes before it was stopped,
// and 17 s once the four tables were analysed (0.36 s). A VACUUM after the
// import as well (the visibility map, hint bits) changed nothing more:
// 15.9 s beside 13.3 s. Autovacuum analyses them when it comes to them, after
// its naptime and its thresholds, which is minutes during which a sweep or
// a preview may start. So a batch that wrote a large share of the ledger
// analyses the tables it writes before it commits: its rows and their
// statistics become visible together, and a rollback leaves both as they
// were.

var (
	//go:embed sql/batch_analyze_size.sql
	batchAnalyzeSizeSQL string
	//go:embed sql/batch_analyze_invoices.sql
	batchAnalyzeInvoicesSQL string
	//go:embed sql/batch_analyze_bulk.sql
	batchAnalyzeBulkSQL string
	//go:embed sql/batch_analyze_payments.sql
	batchAnalyzePaymentsSQL string
)

// A batch analyses the ledger's tables when it wrote (created, updated or
// closed) at least AnalyzeMinRows rows and more than AnalyzeShare of the
// invoices the statistics knew before it: below that, the statistics
// are close enough, and autovacuum's own thresholds come soon enough.
const (
	AnalyzeShare   = 0.10
	AnalyzeMinRows = 10_000
)

// analyze runs ANALYZE on the tables the batch wrote when a, applied in
// the batch's transaction, is large (AnalyzeShare, AnalyzeMinRows), and
// sets a.Analyzed.
func (st *stage) analyze(ctx context.Context, a *Applied) error {
	written := int64(a.Created + a.Updated + a.Closed)
	if written < AnalyzeMinRows {
		return nil
	}
	var known int64
	if err := st.tx.QueryRow(ctx, batchAnalyzeSizeSQL).Scan(&known); err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	// The bulk path analysed invoice after its insert: what it counts then
	// includes the batch.
	if a.Bulk {
		known -= int64(a.Created)
	}
	if float64(written) <= AnalyzeShare*float64(known) {
		return nil
	}
	analyze := batchAnalyzeInvoicesSQL
	switch {
	case st.kind == "payments":
		analyze = batchAnalyzePaymentsSQL
	case a.Bulk:
		analyze = batchAnalyzeBulkSQL
	}
	if _, err := st.tx.Exec(ctx, analyze); err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	a.Analyzed = true
	return nil
}
