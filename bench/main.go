// Command bench measures relance against physical baselines measured in the
// same run, on the same private PostgreSQL cluster, and writes BENCHMARKS.md.
// Absolute times on a shared 2-core machine mean little; the ratio to a
// baseline taken minutes apart on the same data is what DESIGN.md §6 targets.
//
// Run it through `make bench`, which builds bin/relance first:
//
//	go run ./bench -relance bin/relance -out BENCHMARKS.md
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// analysis explains the misses, from profiles taken by hand; it is kept next
// to the program that writes the report so that each run carries it.
//
//go:embed analysis.md
var analysis string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	opts := options{}
	fs.StringVar(&opts.relance, "relance", "bin/relance", "the relance binary to measure")
	// No file by default: a partial run (-only, -invoices) writing over the
	// committed BENCHMARKS.md lost the full report more than once.
	fs.StringVar(&opts.out, "out", "", "write the report to this file too (make bench: BENCHMARKS.md); default: standard output only")
	fs.IntVar(&opts.runs, "runs", 3, "runs of each measurement; the median is reported")
	fs.IntVar(&opts.invoices, "invoices", 1_000_000, "invoices in the generated portfolio")
	fs.IntVar(&opts.clients, "clients", 100_000, "clients in the generated portfolio")
	fs.IntVar(&opts.sendMessages, "messages", 10_000, "reminders in the send-pipeline measurement")
	fs.IntVar(&opts.sweepSteps, "sweep-steps", 100_000, "steps due in the sweep measurement (approximate)")
	fs.StringVar(&opts.micro, "micro", "", "output of `go test -bench` to append, benchstat-friendly")
	fs.StringVar(&opts.only, "only", "", "run only these measurements, comma-separated: import, page, xlsx, sweep, send, api, curves (sweep and page need import)")
	fs.StringVar(&opts.sendProfile, "send-cpuprofile", "", "write the send drain's CPU profile (relance --cpuprofile) here")
	sizes := fs.String("curves", "100000,300000,1000000", "invoices of each point of the cost curves, comma-separated; empty: no curves")
	fs.StringVar(&opts.curveDir, "curves-dir", "docs/bench", "where the cost curves' SVG charts are written")
	quick := fs.Bool("quick", false, "a quick pass to try the program: 1 run, 200,000 invoices, 2,000 messages, curves at 20k, 60k and 200k")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *quick {
		opts.runs, opts.invoices, opts.clients, opts.sendMessages, opts.sweepSteps = 1, 200_000, 20_000, 2_000, 20_000
		*sizes = "20000,60000,200000"
	}
	var err error
	if opts.curveSizes, err = parseSizes(*sizes); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	start := time.Now()
	b, err := newBench(ctx, opts, logger)
	if err != nil {
		return err
	}
	defer b.close()
	rows, err := b.measureAll(ctx)
	if err != nil {
		return err
	}
	var curves []curve
	if b.wants("curves") && len(opts.curveSizes) > 0 {
		if curves, err = b.measureCurves(ctx, b.curveSpecs()); err != nil {
			return err
		}
	}
	curveSection, err := writeCurves(curves, opts.curveDir, opts.out)
	if err != nil {
		return err
	}
	report := renderReport(rows, opts, start, time.Since(start)) + curveSection + "\n" + analysis
	if opts.micro != "" {
		micro, err := os.ReadFile(opts.micro)
		if err != nil {
			return err
		}
		report += "\n## Go micro-benchmarks\n\nResolver, penalty computation and template rendering (`go test -bench`, 6 runs each; feed this block to benchstat to compare two runs):\n\n```\n" + string(micro) + "```\n"
	}
	if opts.out != "" {
		if err := os.WriteFile(opts.out, []byte(report), 0o644); err != nil {
			return err
		}
	}
	fmt.Print(report)
	return nil
}
