package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/pgcluster"
)

type options struct {
	relance      string
	out          string
	runs         int
	invoices     int
	clients      int
	sendMessages int
	sweepSteps   int
	micro        string
	only         string // comma-separated measurements; "" for all
	sendProfile  string // CPU profile of the send drain; "" for none
	curveSizes   []int  // portfolio sizes of the cost curves; none: no curves
	curveDir     string // where the curves' SVG charts go
}

// asOf is the portfolio's and every measurement's date, fixed so runs compare.
const asOf = "2025-09-12"

// row is one line of the report: a measured figure next to its baseline.
type row struct {
	What, Scale        string
	Measured, Baseline string // human figures (median)
	Ratio              float64
	RatioText, Target  string
	Met                bool
	Reference          bool // beside a row with a target: no target of its own
	Note               string
}

type bench struct {
	opts    options
	log     *slog.Logger
	cluster *pgcluster.Cluster
	dir     string // scratch files
	psql    string

	importedURL string // the database holding the imported portfolio
}

func newBench(ctx context.Context, opts options, log *slog.Logger) (*bench, error) {
	if _, err := os.Stat(opts.relance); err != nil {
		return nil, fmt.Errorf("relance binary %s: %w (run `make build`)", opts.relance, err)
	}
	psql, err := exec.LookPath("psql")
	if err != nil {
		return nil, fmt.Errorf("psql not found: install postgresql-client: %w", err)
	}
	dir, err := os.MkdirTemp("", "relance-bench-")
	if err != nil {
		return nil, err
	}
	log.Info("starting a private PostgreSQL cluster")
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Settings: map[string]string{
		"shared_buffers":       "1GB",
		"work_mem":             "64MB",
		"maintenance_work_mem": "512MB",
		"max_wal_size":         "8GB",
		"checkpoint_timeout":   "30min",
	}})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &bench{opts: opts, log: log, cluster: cluster, dir: dir, psql: psql}, nil
}

func (b *bench) close() {
	b.cluster.Stop()
	os.RemoveAll(b.dir)
}

// createDB creates a fresh database, migrated when migrate is set, and
// returns its URL.
func (b *bench) createDB(ctx context.Context, name string, migrate bool) (string, error) {
	admin, err := pgx.Connect(ctx, b.cluster.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	url := b.cluster.URL(name)
	if migrate {
		pool, err := database.Open(ctx, url)
		if err != nil {
			return "", err
		}
		defer pool.Close()
		if _, err := database.Migrate(ctx, pool); err != nil {
			return "", err
		}
	}
	return url, nil
}

// relanceCmd runs the relance binary against url and returns its wall time.
func (b *bench) relanceCmd(ctx context.Context, url string, env []string, args ...string) (time.Duration, error) {
	return b.relanceCmdTo(ctx, nil, url, env, args...)
}

// relanceCmdTo is relanceCmd with the command's standard output written to
// stdout (a report too large to keep: nil keeps it with the errors).
func (b *bench) relanceCmdTo(ctx context.Context, stdout io.Writer, url string, env []string, args ...string) (time.Duration, error) {
	d, _, err := b.relanceCmdCPU(ctx, stdout, url, env, args...)
	return d, err
}

// relanceCmdCPU is relanceCmdTo that also returns the process's CPU time
// (user and system).
func (b *bench) relanceCmdCPU(ctx context.Context, stdout io.Writer, url string, env []string, args ...string) (time.Duration, time.Duration, error) {
	cmd := exec.CommandContext(ctx, b.opts.relance, args...)
	cmd.Env = append(append(os.Environ(), "DATABASE_URL="+url, "RELANCE_TIMEZONE=Europe/Paris"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if stdout != nil {
		cmd.Stdout = stdout
	}
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	var cpu time.Duration
	if cmd.ProcessState != nil {
		cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return d, cpu, fmt.Errorf("relance %s: %w\n%s", strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	return d, cpu, nil
}

// psqlCmd runs SQL through psql (so that the baseline pays the same client
// round trip a user would) and returns its wall time.
func (b *bench) psqlCmd(ctx context.Context, url, sql string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, b.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-d", url, "-c", sql)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return d, fmt.Errorf("psql %q: %w\n%s", sql, err, stderr.String())
	}
	return d, nil
}

func (b *bench) measureAll(ctx context.Context) ([]row, error) {
	var rows []row
	for _, m := range []struct {
		name    string
		measure func(context.Context) ([]row, error)
	}{
		// The API batch first: a few seconds on a quiet cluster, before the
		// million-row databases leave autovacuum busy for minutes.
		{"api", b.measureAPIBatch},
		{"import", b.measureImportAndAging},
		{"page", b.measureAgingPage}, // needs import
		{"xlsx", b.measureXLSX},
		{"sweep", b.measureSweepAndMemory},
		{"send", b.measureSend},
	} {
		if !b.wants(m.name) {
			continue
		}
		r, err := m.measure(ctx)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

// wants says whether -only asks for the measurement called name.
func (b *bench) wants(name string) bool {
	return b.opts.only == "" || slices.Contains(strings.Split(b.opts.only, ","), name)
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func renderReport(rows []row, opts options, start time.Time, took time.Duration) string {
	var sb strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&sb, "# relance benchmarks\n\n")
	fmt.Fprintf(&sb, "Written by `make bench` on %s (%s, %d CPUs, %s) in %s. Each figure is the median of %d runs,\n",
		start.UTC().Format("2006-01-02 15:04 MST"), host, runtime.NumCPU(), runtime.Version(), took.Round(time.Second), opts.runs)
	fmt.Fprintf(&sb, "next to a baseline measured in the same run on the same private PostgreSQL cluster (DESIGN.md §6).\n\n")
	fmt.Fprintf(&sb, "| what | scale | relance | baseline | ratio | target | met |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		met := "yes"
		switch {
		case r.Reference:
			met = "—"
		case !r.Met:
			met = "**no**"
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s | %s |\n", r.What, r.Scale, r.Measured, r.Baseline, r.RatioText, r.Target, met)
	}
	var notes []string
	for _, r := range rows {
		if r.Note != "" {
			notes = append(notes, fmt.Sprintf("- **%s**: %s", r.What, r.Note))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintf(&sb, "\n## Notes\n\n%s\n", strings.Join(notes, "\n"))
	}
	return sb.String()
}

func scratch(b *bench, name string) string { return filepath.Join(b.dir, name) }
