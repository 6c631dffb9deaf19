package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// curveSpecs are the costs drawn as curves (DESIGN.md §6: import, aging,
// sweep and preview at 100k, 300k and 1M invoices), in the order they run
// on each size's portfolio: the import leaves the database the others read.
func (b *bench) curveSpecs() []curveSpec {
	return []curveSpec{
		{Name: "import", Title: "import CSV", Series: []string{"relance import invoices", "\\copy into a bare table"},
			Measure: b.curveImport},
		{Name: "aging", Title: "aged balance", Series: []string{"relance aging --format csv", "GROUP BY in psql"},
			Measure: b.curveAging},
		{Name: "sweep", Title: "one sweep (1 invoice in 5 eligible)", Series: []string{"relance sweep", "INSERT … SELECT of the due set"},
			Measure: b.curveSweep},
		{Name: "preview", Title: fmt.Sprintf("preview of %d days", previewDays), Series: []string{fmt.Sprintf("relance preview --days %d", previewDays), "one relance sweep"},
			Measure: b.curvePreview},
	}
}

// curveImport imports p's file into a fresh database with relance, and
// copies it raw into a bare unindexed table with psql's \copy.
func (b *bench) curveImport(ctx context.Context, p *curvePortfolio) ([]time.Duration, error) {
	rawURL, err := b.createDB(ctx, "bench_curve_raw", false)
	if err != nil {
		return nil, err
	}
	_, columns, err := countRows(p.File)
	if err != nil {
		return nil, err
	}
	cols := make([]string, columns)
	for j := range cols {
		cols[j] = fmt.Sprintf("c%d text", j+1)
	}
	if _, err := b.psqlCmd(ctx, rawURL, "CREATE TABLE raw ("+strings.Join(cols, ", ")+")"); err != nil {
		return nil, err
	}
	bare, err := b.psqlCmd(ctx, rawURL, fmt.Sprintf(`\copy raw FROM '%s' WITH (FORMAT csv, DELIMITER ';', HEADER true)`, p.File))
	if err != nil {
		return nil, err
	}
	if p.URL, err = b.createDB(ctx, "bench_curve", true); err != nil {
		return nil, err
	}
	d, err := b.relanceCmd(ctx, p.URL, nil, "import", "invoices", p.File, "--as-of", asOf)
	if err != nil {
		return nil, err
	}
	return []time.Duration{d, bare}, nil
}

// curveAging times `relance aging --format csv` against the hand-written
// GROUP BY, the better of two runs each (the first warms the cache).
func (b *bench) curveAging(ctx context.Context, p *curvePortfolio) ([]time.Duration, error) {
	out := scratch(b, "curve-aging.csv")
	best := []time.Duration{0, 0}
	for range 2 {
		d, err := b.relanceCmd(ctx, p.URL, nil, "aging", "--as-of", asOf, "--format", "csv", "--output", out)
		if err != nil {
			return nil, err
		}
		g, err := b.psqlCmd(ctx, p.URL, `\copy (`+agingBaselineSQL+`) TO '/dev/null' WITH (FORMAT csv, HEADER true)`)
		if err != nil {
			return nil, err
		}
		best[0], best[1] = minPositive(best[0], d), minPositive(best[1], g)
	}
	return best, nil
}

// curveEligible keeps one invoice in five eligible, as the sweep row of the
// table does at 1M (about 95,000 steps due there), so that the due set
// grows with the portfolio.
const curveEligible = `UPDATE invoice SET excluded = (id % 5 <> 0); ANALYZE invoice;`

// curveBareReminder is the baseline's target table.
const curveBareReminder = `DROP TABLE IF EXISTS bare_reminder;
CREATE TABLE bare_reminder (invoice_id bigint, client_id bigint, step_id text, due_on date);`

// curveSweep times one `relance sweep` of a fresh ledger against the
// hand-written INSERT … SELECT of the due set (bareSweepSQL).
func (b *bench) curveSweep(ctx context.Context, p *curvePortfolio) ([]time.Duration, error) {
	conn, err := pgx.Connect(ctx, p.URL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, resetLedger+curveEligible+curveBareReminder); err != nil {
		return nil, err
	}
	d, err := b.relanceCmd(ctx, p.URL, nil, "sweep", "--as-of", asOf)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "ANALYZE reminder"); err != nil {
		return nil, err
	}
	bare, err := b.psqlCmd(ctx, p.URL, bareSweepSQL)
	if err != nil {
		return nil, err
	}
	p.sweep = d
	return []time.Duration{d, bare}, nil
}

// curvePreview times `relance preview --days 7` on the same fresh ledger
// against the sweep just measured: the preview sweeps each day in a
// transaction it rolls back, so one sweep is its floor.
func (b *bench) curvePreview(ctx context.Context, p *curvePortfolio) ([]time.Duration, error) {
	conn, err := pgx.Connect(ctx, p.URL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, resetLedger); err != nil {
		return nil, err
	}
	d, err := b.relanceCmdTo(ctx, discard{}, p.URL, nil, "preview", "--as-of", asOf, "--days", fmt.Sprint(previewDays), "--format", "json")
	if err != nil {
		return nil, err
	}
	if p.sweep == 0 {
		return nil, fmt.Errorf("the preview's curve needs the sweep's measured first")
	}
	return []time.Duration{d, p.sweep}, nil
}

// discard is an io.Writer that keeps nothing (the preview's report).
type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

func minPositive(a, b time.Duration) time.Duration {
	if a <= 0 || b < a {
		return b
	}
	return a
}
