package aging

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkAgedBalance compares ByClient + WriteCSV with the hand-written
// GROUP BY a DBA would type in psql, on a generated ledger of
// AGING_BENCH_INVOICES invoices (default 200,000) over a tenth as many
// clients, a third of them partly paid. Run:
//
//	AGING_BENCH_INVOICES=1000000 go test -run '^$' -bench AgedBalance ./internal/aging
func BenchmarkAgedBalance(b *testing.B) {
	n := 200000
	if v, err := strconv.Atoi(os.Getenv("AGING_BENCH_INVOICES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	db := pgtestNewDB(b)
	seed := `
INSERT INTO client (entity_id, code, name) SELECT 1, 'C' || g, 'Client ' || g FROM generate_series(1, $1::int / 10) g;
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, settled)
SELECT 1, 1 + g % ($1::int / 10), 'F' || g, date '2025-09-12' - (g % 200) - 30, date '2025-09-12' - (g % 200),
	10000 + g % 90000, CASE WHEN g % 3 = 0 THEN 5000 ELSE 0 END
FROM generate_series(1, $1::int) g;
INSERT INTO allocation (invoice_id, source, amount, applied_on)
SELECT id, 'import', 5000, issue_date + 10 FROM invoice WHERE settled = 5000;
ANALYZE;`
	if _, err := db.Exec(ctx, "SELECT 1"); err != nil {
		b.Fatal(err)
	}
	conn, err := db.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, stmt := range splitSQL(seed) {
		var args []any
		if strings.Contains(stmt, "$1") {
			args = append(args, n)
		}
		if _, err := conn.Exec(ctx, stmt, args...); err != nil {
			b.Fatal(stmt, err)
		}
	}
	conn.Release()
	o := Options{AsOf: asOf, Edges: defaultEdges}
	b.Run("relance", func(b *testing.B) {
		for b.Loop() {
			rep, err := ByClient(ctx, db, o)
			if err != nil {
				b.Fatal(err)
			}
			if err := WriteCSV(io.Discard, rep); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("psql_group_by", func(b *testing.B) {
		for b.Loop() {
			rows, err := db.Query(ctx, `
SELECT c.code, c.name, i.currency,
	sum(outstanding) FILTER (WHERE d <= 0), sum(outstanding) FILTER (WHERE d BETWEEN 1 AND 30),
	sum(outstanding) FILTER (WHERE d BETWEEN 31 AND 60), sum(outstanding) FILTER (WHERE d BETWEEN 61 AND 90),
	sum(outstanding) FILTER (WHERE d BETWEEN 91 AND 120), sum(outstanding) FILTER (WHERE d > 120)
FROM (SELECT client_id, currency, outstanding, date '2025-09-12' - due_date AS d FROM invoice WHERE outstanding <> 0) i
JOIN client c ON c.id = i.client_id GROUP BY 1, 2, 3 ORDER BY 3, 1`)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			rows.Close()
		}
	})
}

func splitSQL(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ';' {
			if stmt := strings.TrimSpace(s[start:i]); stmt != "" {
				out = append(out, stmt)
			}
			start = i + 1
		}
	}
	return out
}
