package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Footprint counts the rows of every table of the schema (River's jobs
// included), and apart the pending reminders and the open promises and
// disputes: a dry run (preview, plan diff) must leave it as it found it. A
// table a later change makes the sweep write is counted without being
// named here.
func Footprint(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	var out string
	err := pool.QueryRow(context.Background(), `SELECT format('pending reminders %s, open promises %s, open disputes %s; ',
		(SELECT count(*) FROM reminder WHERE status = 'pending'), (SELECT count(*) FROM promise WHERE status = 'open'),
		(SELECT count(*) FROM dispute WHERE resolved_on IS NULL))
	|| (SELECT string_agg(format('%s %s', c.relname,
			(xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text),
			', ' ORDER BY c.relname)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public')`).Scan(&out)
	if err != nil {
		t.Fatalf("pgtest: footprint: %v", err)
	}
	return out
}
