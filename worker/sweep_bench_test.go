package worker

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
)

// seedPortfolio inserts clients × perClient open invoices with due dates
// spread over the 200 days before 2025-09-15, set-based.
func seedPortfolio(b testing.TB, pool *pgxpool.Pool, clients, perClient int) {
	b.Helper()
	ctx := context.Background()
	for _, q := range []string{
		fmt.Sprintf(`INSERT INTO client (entity_id, code, name, emails) SELECT 1, 'C' || g, 'Client ' || g, '{a@b.example}' FROM generate_series(1, %d) g`, clients),
		fmt.Sprintf(`INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		 SELECT 1, c.id, 'F' || c.id || '-' || g, date '2025-09-15' - ((g * 37 + c.id) %% 200)::int - 30,
		        date '2025-09-15' - ((g * 37 + c.id) %% 200)::int + 10, 10000 + (c.id * g) %% 500000
		 FROM client c CROSS JOIN generate_series(1, %d) g`, perClient),
		`ANALYZE`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSweep measures one day's sweep (evaluate + ledger + enqueue) over
// 100,000 open invoices, all seen for the first time (every one gets its
// first step, and 121+ ones a provision too: the heaviest day there is), next
// to the baseline of DESIGN §6: a bare INSERT … SELECT of the same due set
// into a table like the ledger (same columns, defaults and indexes).
func BenchmarkSweep(b *testing.B) {
	pool := pgtest.NewDB(b)
	seedPortfolio(b, pool, 10000, 10)
	set, err := plans.Default()
	if err != nil {
		b.Fatal(err)
	}
	s := &Sweeper{Plans: set, Calendars: frCalendars}
	jobs := insertOnlyClient(b, pool)
	ctx := context.Background()
	day := d("2025-09-15")
	var sweep, bare time.Duration
	var decided int
	for b.Loop() {
		tx, err := pool.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		res, err := s.Run(ctx, tx, jobs, day, SweepOptions{Now: true})
		if err != nil {
			b.Fatal(err)
		}
		sweep += time.Since(t0)
		decided = len(res.Decisions)
		t0 = time.Now()
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE bare (LIKE reminder INCLUDING ALL) ON COMMIT DROP;
			INSERT INTO bare (invoice_id, client_id, profile, step_id, level, channel, template, due_on)
			SELECT invoice_id, client_id, profile, step_id, level, channel, template, due_on FROM reminder`); err != nil {
			b.Fatal(err)
		}
		bare += time.Since(t0)
		if err := tx.Rollback(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(sweep.Milliseconds())/float64(b.N), "sweep-ms/op")
	b.ReportMetric(float64(bare.Milliseconds())/float64(b.N), "bare-insert-ms/op")
	b.ReportMetric(float64(decided), "decisions")
}

// BenchmarkSweepSteadyState measures an ordinary day over the same 100,000
// open invoices: the portfolio has been swept every day of the week before,
// so only the steps that come due that day are decided.
func BenchmarkSweepSteadyState(b *testing.B) {
	pool := pgtest.NewDB(b)
	seedPortfolio(b, pool, 10000, 10)
	set, err := plans.Default()
	if err != nil {
		b.Fatal(err)
	}
	s := &Sweeper{Plans: set, Calendars: frCalendars}
	jobs := insertOnlyClient(b, pool)
	ctx := context.Background()
	for day := d("2025-09-08"); day.Before(d("2025-09-15")); day = day.AddDate(0, 0, 1) {
		sweepDay(b, pool, s, jobs, day)
	}
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var decided int
	for b.Loop() {
		tx, err := pool.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		res, err := s.Run(ctx, tx, jobs, d("2025-09-15"), SweepOptions{Now: true})
		if err != nil {
			b.Fatal(err)
		}
		decided = len(res.Decisions)
		if err := tx.Rollback(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(decided), "decisions")
}
