package preview

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed sql/changed.sql
var changedSQL string

// MaxAge is how long a report may be kept at most (Changed says it changed
// past it): less than the record of a finished transaction is kept
// (worker.PreviewChangesKept), so that no kept report can miss one. The
// records are pruned by the daemon's reconciliation and by a sweep run from
// the command line, not here: Changed only reads, as pages do, and the
// records it could find are those after the report's snapshot, reached
// through the index on xid whatever older rows remain.
const MaxAge = time.Hour

// Querier reads one row; *pgxpool.Pool and pgx.Tx are ones.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Changed says whether rep is no longer the forecast: a transaction that
// wrote something the preview reads (the ledger, the reminder history, the
// provisions, the cases; migration 00280) committed after the snapshot rep
// was read on, whatever process or path wrote it, or rep is older than
// MaxAge. Reminders that only went out (pending to sent) on rep's first day
// or later change nothing: the sandbox counted them sent on that day. A
// transaction still in progress counts once it commits; one that rolls back
// never does, nor does the preview's own sandbox.
func Changed(ctx context.Context, db Querier, rep *Report) (bool, error) {
	var changed bool
	if err := db.QueryRow(ctx, changedSQL, rep.Snapshot, rep.ReadAt, MaxAge, rep.From).Scan(&changed); err != nil {
		return false, fmt.Errorf("preview: changed since %s: %w", rep.ReadAt.Format(time.RFC3339), err)
	}
	return changed, nil
}
