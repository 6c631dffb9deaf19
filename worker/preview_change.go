package worker

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

//go:embed preview_change_prune.sql
var previewChangePruneSQL string

// PreviewChangesKept is how long the record of a finished transaction stays
// in preview_change (migration 00280): longer than a kept forecast lives
// (preview.MaxAge), so that none can miss one.
const PreviewChangesKept = 24 * time.Hour

// Execer runs one statement; *pgxpool.Pool and pgx.Tx are ones.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// PrunePreviewChanges forgets the transactions that finished more than
// PreviewChangesKept ago: every writing transaction leaves a row there for
// the upcoming page's kept forecasts. The daemon's periodic reconciliation
// and a sweep run from the command line (an installation without the
// daemon) run it; the page only reads (preview.Changed).
func PrunePreviewChanges(ctx context.Context, db Execer) error {
	if _, err := db.Exec(ctx, previewChangePruneSQL, PreviewChangesKept); err != nil {
		return fmt.Errorf("preview changes: prune: %w", err)
	}
	return nil
}
