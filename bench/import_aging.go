package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// measureImportAndAging generates the portfolio, then for each run copies it
// raw into a bare unindexed table and into an indexed one with psql's \copy
// (import_fair.go), imports it into a fresh database with relance and
// imports it again as a snapshot; then times `relance aging --format csv` against a
// hand-written GROUP BY with the bucket CASE on the last imported database.
func (b *bench) measureImportAndAging(ctx context.Context) ([]row, error) {
	file, err := b.portfolio(ctx)
	if err != nil {
		return nil, err
	}
	lines, columns, err := countRows(file)
	if err != nil {
		return nil, err
	}

	var relanceTimes, copyTimes, indexedTimes, againTimes []time.Duration
	var url string
	for i := range b.opts.runs {
		rawURL, err := b.createDB(ctx, "bench_raw", false)
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
		d, err := b.psqlCmd(ctx, rawURL, fmt.Sprintf(`\copy raw FROM '%s' WITH (FORMAT csv, DELIMITER ';', HEADER true)`, file))
		if err != nil {
			return nil, err
		}
		copyTimes = append(copyTimes, d)
		if d, err = b.indexedCopy(ctx, file); err != nil {
			return nil, err
		}
		indexedTimes = append(indexedTimes, d)

		url, err = b.createDB(ctx, "bench_import", true)
		if err != nil {
			return nil, err
		}
		d, err = b.relanceCmd(ctx, url, nil, "import", "invoices", file, "--as-of", asOf)
		if err != nil {
			return nil, err
		}
		relanceTimes = append(relanceTimes, d)
		if d, err = b.relanceCmd(ctx, url, nil, "import", "invoices", file, "--snapshot", "--as-of", asOf); err != nil {
			return nil, err
		}
		againTimes = append(againTimes, d)
		b.log.Info("import run", "run", i+1, "relance", relanceTimes[i].Round(time.Millisecond), "copy", copyTimes[i].Round(time.Millisecond),
			"indexed copy", indexedTimes[i].Round(time.Millisecond), "re-import", againTimes[i].Round(time.Millisecond))
	}
	rows := importRows(lines, b.opts.clients, relanceTimes, copyTimes, indexedTimes, againTimes)

	var agingTimes, groupByTimes []time.Duration
	out := scratch(b, "aging.csv")
	for i := range b.opts.runs + 2 {
		d, err := b.relanceCmd(ctx, url, nil, "aging", "--as-of", asOf, "--format", "csv", "--output", out)
		if err != nil {
			return nil, err
		}
		g, err := b.psqlCmd(ctx, url, `\copy (`+agingBaselineSQL+`) TO '/dev/null' WITH (FORMAT csv, HEADER true)`)
		if err != nil {
			return nil, err
		}
		agingTimes, groupByTimes = append(agingTimes, d), append(groupByTimes, g)
		b.log.Info("aging run", "run", i+1, "relance", d.Round(time.Millisecond), "group by", g.Round(time.Millisecond))
	}
	agingRow := row{
		What:     "`relance aging --format csv`",
		Scale:    fmt.Sprintf("%d invoices / %d clients", lines, b.opts.clients),
		Measured: median(agingTimes).Round(time.Millisecond).String(),
		Baseline: median(groupByTimes).Round(time.Millisecond).String() + " hand-written GROUP BY in psql",
		Ratio:    median(agingTimes).Seconds() / median(groupByTimes).Seconds(),
		Target:   "≤ 1.5 × baseline time",
	}
	agingRow.RatioText = fmt.Sprintf("%.2f", agingRow.Ratio)
	agingRow.Met = agingRow.Ratio <= 1.5
	b.importedURL = url
	return append(rows, agingRow), nil
}

// agingBaselineSQL is what a DBA would write by hand for the aged balance:
// one pass over the open items, the bucket CASE, GROUP BY client.
const agingBaselineSQL = `SELECT c.code, c.name, i.currency,
  sum(CASE WHEN DATE '` + asOf + `' - i.due_date <= 0 THEN i.outstanding ELSE 0 END) AS not_due,
  sum(CASE WHEN DATE '` + asOf + `' - i.due_date BETWEEN 1 AND 30 THEN i.outstanding ELSE 0 END) AS d1_30,
  sum(CASE WHEN DATE '` + asOf + `' - i.due_date BETWEEN 31 AND 60 THEN i.outstanding ELSE 0 END) AS d31_60,
  sum(CASE WHEN DATE '` + asOf + `' - i.due_date BETWEEN 61 AND 90 THEN i.outstanding ELSE 0 END) AS d61_90,
  sum(CASE WHEN DATE '` + asOf + `' - i.due_date BETWEEN 91 AND 120 THEN i.outstanding ELSE 0 END) AS d91_120,
  sum(CASE WHEN DATE '` + asOf + `' - i.due_date > 120 THEN i.outstanding ELSE 0 END) AS d121_plus,
  sum(i.outstanding) AS total
FROM invoice i JOIN client c ON c.id = i.client_id
WHERE i.outstanding <> 0 AND i.issue_date <= DATE '` + asOf + `'
GROUP BY c.code, c.name, i.currency
ORDER BY c.code`

// countRows counts data lines and header columns of a ;-separated CSV.
func countRows(path string) (rows, columns int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if rows == 0 && columns == 0 {
			columns = strings.Count(sc.Text(), ";") + 1
			continue
		}
		rows++
	}
	return rows, columns, sc.Err()
}
