package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Footprint counts the rows of every table a sweep writes (reminders, the
// pending ones apart, provisions, tasks, events, promises and disputes with
// the open ones apart, the business-day cache) and River's jobs: a dry run
// (preview, plan diff) must leave it as it found it.
func Footprint(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	var out string
	err := pool.QueryRow(context.Background(), `SELECT format(
		'reminder %s (pending %s), provision %s, task %s, event %s, promise %s (open %s), dispute %s (open %s), business_day %s, river_job %s',
		(SELECT count(*) FROM reminder), (SELECT count(*) FROM reminder WHERE status = 'pending'),
		(SELECT count(*) FROM provision), (SELECT count(*) FROM task), (SELECT count(*) FROM event),
		(SELECT count(*) FROM promise), (SELECT count(*) FROM promise WHERE status = 'open'),
		(SELECT count(*) FROM dispute), (SELECT count(*) FROM dispute WHERE resolved_on IS NULL),
		(SELECT count(*) FROM business_day), (SELECT count(*) FROM river_job))`).Scan(&out)
	if err != nil {
		t.Fatalf("pgtest: footprint: %v", err)
	}
	return out
}
