package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// The import's fair baselines and its other rows (issue 16): the bare
// `\copy` pays no index, so the first import is also set beside a `\copy`
// into a table with invoice's own indexes and constraints; a daily
// re-import of the same snapshot is set beside the bare copy; and an XLSX
// import's peak memory is read at two sizes to show it stays flat.

// indexedCopySQL is the table of the indexed baseline: the file's columns
// as it has them (text: COPY cannot read "5479,24" or "10/07/2025" as
// numbers and dates) under invoice's indexes and constraints, mapped onto
// those columns. c1 number, c2 client code, c5 due date, c7 amount, c9
// paid, c11 kind, c12 the invoice a credit note applies to. The client
// codes are loaded first, untimed, as the clients a ledger would have.
const indexedCopySQL = `
CREATE TABLE client_codes (entity_id bigint NOT NULL DEFAULT 1, code text NOT NULL, PRIMARY KEY (code, entity_id));
CREATE TABLE fair (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id bigint NOT NULL DEFAULT 1,
    c1 text NOT NULL, c2 text NOT NULL, c3 text, c4 text NOT NULL, c5 text NOT NULL, c6 text, c7 text NOT NULL,
    c8 text, c9 text, c10 text NOT NULL, c11 text NOT NULL CHECK (c11 IN ('facture', 'avoir')), c12 text,
    c13 text, c14 text, c15 text,
    UNIQUE (entity_id, c1),
    CHECK ((c11 = 'avoir') = (c7 LIKE '-%') OR c7 = '0,00'),
    FOREIGN KEY (c2, entity_id) REFERENCES client_codes (code, entity_id)
);
CREATE INDEX fair_client_idx ON fair (c2);
CREATE INDEX fair_open_idx ON fair (c5) WHERE c7 <> c9;
CREATE INDEX fair_applied_credit_idx ON fair (c12) WHERE c11 = 'avoir' AND c12 IS NOT NULL;`

// portfolio generates the portfolio file once and returns its path.
func (b *bench) portfolio(ctx context.Context) (string, error) {
	file := scratch(b, "portfolio.csv")
	if _, err := os.Stat(file); err == nil {
		return file, nil
	}
	b.log.Info("generating the portfolio", "clients", b.opts.clients, "invoices", b.opts.invoices)
	_, err := b.relanceCmd(ctx, "", nil, "demo", "generate",
		"--clients", fmt.Sprint(b.opts.clients), "--invoices", fmt.Sprint(b.opts.invoices),
		"--seed", "1", "--as-of", asOf, "--out", file)
	return file, err
}

// indexedCopy copies file into a fresh table with invoice's indexes and
// constraints and returns the copy's time.
func (b *bench) indexedCopy(ctx context.Context, file string) (time.Duration, error) {
	url, err := b.createDB(ctx, "bench_indexed", false)
	if err != nil {
		return 0, err
	}
	if _, err := b.psqlCmd(ctx, url, indexedCopySQL); err != nil {
		return 0, err
	}
	codes := scratch(b, "client_codes.csv")
	if err := clientCodes(file, codes); err != nil {
		return 0, err
	}
	if _, err := b.psqlCmd(ctx, url, fmt.Sprintf(`\copy client_codes (code) FROM '%s'`, codes)); err != nil {
		return 0, err
	}
	return b.psqlCmd(ctx, url, fmt.Sprintf(`\copy fair (c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15) FROM '%s' WITH (FORMAT csv, DELIMITER ';', HEADER true)`, file))
}

// clientCodes writes the distinct client codes (second column) of the
// portfolio file to out, one a line.
func clientCodes(file, out string) error {
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sc.Scan() // the header
	var sb strings.Builder
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), ";", 3)
		if len(f) > 1 && !seen[f[1]] {
			seen[f[1]] = true
			sb.WriteString(f[1] + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return os.WriteFile(out, []byte(sb.String()), 0o644)
}

// importRows are the rows of the import: the first import (the bulk path)
// beside the bare and the indexed copy, and the re-import of the same file
// as a snapshot beside the bare copy.
func importRows(lines, clients int, first, bare, indexed, again []time.Duration) []row {
	scale := fmt.Sprintf("%d invoices / %d clients", lines, clients)
	rate := func(ds []time.Duration) float64 { return float64(lines) / median(ds).Seconds() }
	figure := func(ds []time.Duration) string {
		return fmt.Sprintf("%.0f rows/s (%s)", rate(ds), median(ds).Round(time.Millisecond))
	}
	mk := func(what string, measured, base []time.Duration, baseline string, target float64, note string) row {
		r := row{What: what, Scale: scale, Measured: figure(measured), Baseline: figure(base) + " " + baseline,
			Ratio: rate(measured) / rate(base), Target: fmt.Sprintf("≥ %.2f × baseline rows/s", target), Note: note}
		r.RatioText, r.Met = fmt.Sprintf("%.2f", r.Ratio), r.Ratio >= target
		return r
	}
	return []row{
		mk("first import: `relance import invoices` (CSV) into an empty ledger", first, bare,
			"psql `\\copy` into a bare table", 0.25,
			"into a fresh database, where the invoice table is empty: the bulk path (indexes built after the load)"),
		mk("first import, against the indexed copy", first, indexed,
			"psql `\\copy` into a table with invoice's indexes and constraints", 0.80,
			"the baseline table has invoice's primary key, unique number, client, open-item and credit-note indexes, its two checks and a foreign key to the clients (loaded first, untimed), on the file's text columns"),
		mk("re-import of the unchanged snapshot: `relance import invoices --snapshot`", again, bare,
			"psql `\\copy` into a bare table", 0.50,
			"the same file again into the ledger the first import wrote: every row compared, none written"),
	}
}

// measureXLSX measures the XLSX import's memory on the portfolio of the
// import measurement.
func (b *bench) measureXLSX(ctx context.Context) ([]row, error) {
	file, err := b.portfolio(ctx)
	if err != nil {
		return nil, err
	}
	lines, _, err := countRows(file)
	if err != nil {
		return nil, err
	}
	r, err := b.measureXLSXMemory(ctx, file, lines)
	return []row{r}, err
}

// measureXLSXMemory converts the first n rows of the portfolio file to a
// workbook, for n a tenth of the portfolio and all of it, imports each into
// a fresh database and reads the import's peak RSS.
func (b *bench) measureXLSXMemory(ctx context.Context, file string, lines int) (row, error) {
	var peaks []int64
	var sizes []int
	for _, n := range []int{lines / 10, lines} {
		book := scratch(b, fmt.Sprintf("portfolio-%d.xlsx", n))
		if err := csvToXLSX(file, book, n); err != nil {
			return row{}, err
		}
		url, err := b.createDB(ctx, "bench_xlsx", true)
		if err != nil {
			return row{}, err
		}
		peak, d, err := b.relancePeakRSS(ctx, url, "import", "invoices", book, "--as-of", asOf)
		if err != nil {
			return row{}, err
		}
		b.log.Info("xlsx import", "rows", n, "peak RSS MB", peak>>20, "time", d.Round(time.Millisecond))
		peaks, sizes = append(peaks, peak), append(sizes, n)
		_ = os.Remove(book)
	}
	r := row{
		What:     "XLSX import peak RSS: `relance import invoices` of a workbook",
		Scale:    fmt.Sprintf("%d and %d rows", sizes[0], sizes[1]),
		Measured: fmt.Sprintf("%d MB at %d rows, %d MB at %d rows", peaks[1]>>20, sizes[1], peaks[0]>>20, sizes[0]),
		Baseline: "—",
		Ratio:    float64(peaks[1]) / float64(peaks[0]),
		Target:   "flat: ≤ 1.5 × the peak at a tenth of the rows",
		Note:     "the workbook written by excelize's stream writer (inline strings, no shared string table: excelize holds that table whole when a workbook has one)",
	}
	r.RatioText, r.Met = fmt.Sprintf("%.2f", r.Ratio), r.Ratio <= 1.5
	return r, nil
}

// relancePeakRSS runs relance against url and returns its peak RSS in bytes
// and its wall time. The peak is the child's VmHWM, polled while it runs:
// its rusage would not do, since Linux carries into ru_maxrss the high-water
// mark of the memory the child shared with this process before exec (Go
// forks with CLONE_VM), and this process has just written the workbook.
func (b *bench) relancePeakRSS(ctx context.Context, url string, args ...string) (int64, time.Duration, error) {
	cmd := exec.CommandContext(ctx, b.opts.relance, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "RELANCE_TIMEZONE=Europe/Paris")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var peak int64
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return 0, 0, fmt.Errorf("relance %s: %w\n%s", strings.Join(args, " "), err, tail(out.String(), 2000))
			}
			return peak, time.Since(start), nil
		case <-tick.C:
			if hwm, err := vmHWM(cmd.Process.Pid); err == nil && hwm > peak {
				peak = hwm
			}
		}
	}
}

// csvToXLSX writes the header and the first n data rows of the ;-separated
// portfolio file as a workbook through excelize's stream writer.
func csvToXLSX(file, book string, n int) error {
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	rd := csv.NewReader(bufio.NewReader(in))
	rd.Comma, rd.ReuseRecord = ';', true
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	cells := []any{}
	for i := 0; i <= n; i++ {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		cells = cells[:0]
		for _, c := range rec {
			cells = append(cells, c)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return x.SaveAs(book)
}
