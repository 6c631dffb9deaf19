package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A curve is one cost measured at several portfolio sizes, beside the
// baselines measured at the same sizes in the same run: time against size,
// drawn log-log so that a straight line of slope 1 is linear growth.
//
// Another measurement slots in by adding a curveSpec to curveSpecs (or a
// series to one): its measure runs once per size on that size's portfolio
// and returns one time per series, relance's first.
type curveSpec struct {
	Name   string   // file stem of the chart: docs/bench/<name>.svg
	Title  string   // what is measured
	Series []string // relance's label first, then each baseline's
	// Measure times every series on p; it may use what earlier specs of
	// the same size left (the import leaves the imported database).
	Measure func(ctx context.Context, p *curvePortfolio) ([]time.Duration, error)
}

// curvePortfolio is one size of the curves: the generated file and, once the
// import spec ran, the database that holds it.
type curvePortfolio struct {
	Invoices, Clients int
	File              string        // the generated CSV
	Lines             int           // its data lines
	URL               string        // the imported database; "" before the import
	sweep             time.Duration // the sweep's time, the preview's baseline
}

// curve is a spec with its measured points, one per size.
type curve struct {
	curveSpec
	Points []curvePoint
}

type curvePoint struct {
	Invoices int
	Times    []time.Duration // one per series
	DBBytes  int64           // the portfolio's database once measured; 0: unknown
}

// measureCurves generates a portfolio of each size, runs every spec on it in
// order, and returns the curves.
func (b *bench) measureCurves(ctx context.Context, specs []curveSpec) ([]curve, error) {
	curves := make([]curve, len(specs))
	for i, s := range specs {
		curves[i].curveSpec = s
	}
	for _, n := range b.opts.curveSizes {
		p := &curvePortfolio{Invoices: n, Clients: max(n/10, 1), File: scratch(b, fmt.Sprintf("curve-%d.csv", n))}
		b.log.Info("curves: generating a portfolio", "invoices", p.Invoices, "clients", p.Clients)
		if _, err := b.relanceCmd(ctx, "", nil, "demo", "generate",
			"--clients", fmt.Sprint(p.Clients), "--invoices", fmt.Sprint(p.Invoices),
			"--seed", "1", "--as-of", asOf, "--out", p.File); err != nil {
			return nil, err
		}
		var err error
		if p.Lines, _, err = countRows(p.File); err != nil {
			return nil, err
		}
		for i, s := range specs {
			times, err := s.Measure(ctx, p)
			if err != nil {
				return nil, fmt.Errorf("curve %s at %d invoices: %w", s.Name, n, err)
			}
			if len(times) != len(s.Series) {
				return nil, fmt.Errorf("curve %s: %d times for %d series", s.Name, len(times), len(s.Series))
			}
			b.log.Info("curve point", "curve", s.Name, "invoices", n, "times", times)
			curves[i].Points = append(curves[i].Points, curvePoint{Invoices: n, Times: times})
		}
		if p.URL != "" {
			if err := b.recordSize(ctx, p, curves); err != nil {
				return nil, err
			}
		}
		_ = os.Remove(p.File)
	}
	return curves, nil
}

// recordSize notes on each curve's last point the size of the database
// holding p once every spec ran (docs/scaling.md reads it).
func (b *bench) recordSize(ctx context.Context, p *curvePortfolio, curves []curve) error {
	conn, err := pgx.Connect(ctx, p.URL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var size int64
	if err := conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&size); err != nil {
		return err
	}
	for i := range curves {
		if n := len(curves[i].Points); n > 0 && curves[i].Points[n-1].Invoices == p.Invoices {
			curves[i].Points[n-1].DBBytes = size
		}
	}
	return nil
}

// slope is the least-squares slope of log(time) against log(size) of
// series k: 1 is linear growth, 2 quadratic, below 1 a fixed cost that
// weighs at small sizes. NaN with fewer than two points.
func (c curve) slope(k int) float64 {
	xs, ts := c.series(k)
	return logSlope(logs(xs, 0), logs(ts, 0))
}

// fit splits series k into a fixed cost and the work that scales: it finds
// the fixed cost F (between 0 and the smallest time) for which time − F is
// closest to a power of the size, and gives that power. A process start, a
// plan or the calendars read once make the plain log-log slope look better
// than linear; the power of what is left does not flatter.
func (c curve) fit(k int) (fixed time.Duration, slope float64) {
	xs, ts := c.series(k)
	if len(xs) < 2 {
		return 0, math.NaN()
	}
	lx, smallest := logs(xs, 0), slices.Min(ts)
	best, bestErr := 0.0, math.Inf(1)
	const steps = 2000
	for i := range steps {
		f := smallest * float64(i) / steps
		if e := residual(lx, logs(ts, f)); e < bestErr-1e-12 {
			best, bestErr = f, e
		}
	}
	return durationOf(best), logSlope(lx, logs(ts, best))
}

// residual is the sum of squares left by the least-squares line through
// the points.
func residual(xs, ys []float64) float64 {
	a, b := lineFit(xs, ys)
	var sum float64
	for i := range xs {
		d := ys[i] - a - b*xs[i]
		sum += d * d
	}
	return sum
}

func (c curve) series(k int) (sizes, secs []float64) {
	for _, p := range c.Points {
		if t := p.Times[k]; t > 0 {
			sizes = append(sizes, float64(p.Invoices))
			secs = append(secs, t.Seconds())
		}
	}
	return sizes, secs
}

func logs(vs []float64, minus float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = math.Log(v - minus)
	}
	return out
}

func durationOf(secs float64) time.Duration { return time.Duration(secs * float64(time.Second)) }

// lineFit is the least-squares line y = a + b·x.
func lineFit(xs, ys []float64) (a, b float64) {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx, sy, sxx, sxy = sx+xs[i], sy+ys[i], sxx+xs[i]*xs[i], sxy+xs[i]*ys[i]
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return sy / n, 0
	}
	b = (n*sxy - sx*sy) / d
	return (sy - b*sx) / n, b
}

func logSlope(xs, ys []float64) float64 {
	if len(xs) < 2 {
		return math.NaN()
	}
	_, b := lineFit(xs, ys)
	return b
}

// growth says in words what the slope of the scaling work means.
func growth(s float64) string {
	switch {
	case math.IsNaN(s):
		return "not enough points"
	case s < 0.85:
		return "sublinear"
	case s <= 1.2:
		return "linear"
	default:
		return "**faster than linear**"
	}
}

// writeCurves draws each curve into dir as <name>.svg and returns the
// report's section, which links the charts from the report at out.
func writeCurves(curves []curve, dir, out string) (string, error) {
	if len(curves) == 0 {
		return "", nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	rel, err := filepath.Rel(filepath.Dir(out), dir)
	if err != nil {
		rel = dir
	}
	var sb strings.Builder
	sb.WriteString("\n## Cost curves\n\n")
	sb.WriteString("Each cost measured once per size on a generated portfolio (1 client for 10 invoices), beside its baselines measured on the same data in the same run; time against invoices, both axes logarithmic. Each series is split into a fixed cost and the work that scales: the fixed cost is the one that leaves time − fixed closest to a power of the size, and the slope is that power (1 linear growth, 2 quadratic). The plain log-log slope of the chart is lower when a start-up cost (the process, the plan, the calendars) weighs at the small sizes, so it is not the verdict.\n\n")
	sb.WriteString("| cost | series | " + sizesHeader(curves[0]) + " | fixed | slope | growth |\n")
	sb.WriteString("|---|---|" + strings.Repeat("---|", len(curves[0].Points)) + "---|---|---|\n")
	for _, c := range curves {
		for k, name := range c.Series {
			fixed, s := c.fit(k)
			fmt.Fprintf(&sb, "| %s | %s |", c.Title, name)
			for _, p := range c.Points {
				fmt.Fprintf(&sb, " %s |", p.Times[k].Round(time.Millisecond))
			}
			fmt.Fprintf(&sb, " %s | %.2f | %s |\n", fixed.Round(time.Millisecond), s, growth(s))
		}
	}
	if c := curves[0]; len(c.Points) > 0 && c.Points[0].DBBytes > 0 {
		fmt.Fprintf(&sb, "| database size | after the measurements |")
		for _, p := range c.Points {
			fmt.Fprintf(&sb, " %.0f MB |", float64(p.DBBytes)/(1<<20))
		}
		sb.WriteString(" | | | |\n")
	}
	sb.WriteString("\n")
	for _, c := range curves {
		svg := renderSVG(c)
		if err := os.WriteFile(filepath.Join(dir, c.Name+".svg"), []byte(svg), 0o644); err != nil {
			return "", err
		}
		fmt.Fprintf(&sb, "![%s](%s)\n\n", c.Title, filepath.ToSlash(filepath.Join(rel, c.Name+".svg")))
	}
	return sb.String(), nil
}

func sizesHeader(c curve) string {
	var h []string
	for _, p := range c.Points {
		h = append(h, humanCount(p.Invoices))
	}
	return strings.Join(h, " | ")
}

// humanCount writes 100000 as 100k and 1000000 as 1M.
func humanCount(n int) string {
	switch {
	case n >= 1_000_000 && n%100_000 == 0:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1e6), ".0") + "M"
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// parseSizes reads "100000,300000,1000000".
func parseSizes(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		var n int
		if _, err := fmt.Sscan(f, &n); err != nil || n < 100 {
			return nil, fmt.Errorf("-curves %q: want sizes of at least 100 invoices, comma-separated", s)
		}
		out = append(out, n)
	}
	return out, nil
}
