package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/importer"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/pgcluster"
	"github.com/relance/relance/internal/portfolio"
)

func newDemoCmd(a *app) *cobra.Command {
	var examples, asOf string
	var noServe bool
	var clients, invoices int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run relance locally on a private PostgreSQL and a generated French portfolio",
		Long: `demo is self-contained. Unless DATABASE_URL is set it starts a private
PostgreSQL cluster in a temporary directory (initdb + pg_ctl, removed at the
end) and migrates it. Then it shows the main job end to end:

  1. generates a realistic French portfolio (by default 2,000 clients and
     20,000 open items at 12/09/2025, the same as ` + "`relance demo generate`" + `),
     imports its invoices and payments, and records (as actor "demo") its
     disputes, two promises to pay, a pause and an insolvency; with
     --examples DIR it imports DIR/portefeuille.csv and DIR/paiements.csv
     instead (the small portfolio shipped in examples/);
  2. sweeps that day and sends the reminders it decided with the file
     transport: one .eml per message in mail.dir (./outbox), registered
     letters as PDF in mail.dir/letters;
  3. runs the daemon (relance serve) with River UI, printing its URL and
     login, until Ctrl-C. The daily schedule is off: the demo's day is in
     the past.

Examples:
  make demo
  relance demo --no-serve                  # stop after the sweep
  relance demo --examples examples         # the 40-client example portfolio
  relance demo --clients 200 --invoices 2000
  relance demo --as-of 2025-10-15          # a portfolio open on, and swept on, another day`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cfg, err := a.config()
			if err != nil {
				return err
			}
			day, err := clock.ParseDate(asOf)
			if err != nil {
				return err
			}
			if cfg.Database.URL == "" {
				fmt.Fprintln(a.stdout, "starting a private PostgreSQL cluster…")
				cluster, err := pgcluster.Start(ctx, pgcluster.Options{})
				if err != nil {
					return err
				}
				defer cluster.Stop()
				cfg.Database.URL = cluster.URL("postgres")
			}
			cfg.Mail.Transport = "file"
			if cfg.Mail.From == "" {
				cfg.Mail.From = "Service comptabilité <compta@demo.relance.invalid>"
			}
			pool, err := a.openDB(ctx, cfg)
			if err != nil {
				return err
			}
			defer pool.Close()
			if _, err := database.Migrate(ctx, pool); err != nil {
				return err
			}
			opt := importer.Options{Entity: cfg.Entity, Actor: "demo", AsOf: day, DefaultTerms: cfg.DefaultTerms(), EOM: cfg.EOMMethod()}
			dir := examples
			var disputes []portfolio.Dispute
			if dir == "" {
				if dir, err = os.MkdirTemp("", "relance-demo-"); err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				fmt.Fprintf(a.stdout, "generating a portfolio of %d clients and %d open items…\n", clients, invoices)
				p := portfolio.Generate(portfolio.Options{Clients: clients, Invoices: invoices, Seed: seed, AsOf: day})
				if err := writeDemoFiles(p, dir); err != nil {
					return err
				}
				disputes = p.Disputes()
			}
			for _, imp := range []struct {
				file string
				run  importFunc
			}{{"portefeuille.csv", importer.ImportInvoices}, {"paiements.csv", importer.ImportPayments}} {
				path := filepath.Join(dir, imp.file)
				res, err := imp.run(ctx, pool, path, opt)
				if err != nil {
					return fmt.Errorf("demo: import %s: %w", path, err)
				}
				fmt.Fprintf(a.stdout, "imported %s: %d rows\n", imp.file, res.Rows)
			}
			if err := a.recordDemoLedger(ctx, pool, cfg, day, disputes); err != nil {
				return err
			}
			logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			sum, err := a.sweepOnce(ctx, cfg, pool, logger, day, sweepRun{now: true, drain: true})
			if err != nil {
				return err
			}
			sum.print(a.stdout)
			outbox, _ := filepath.Abs(cfg.Mail.Dir)
			fmt.Fprintf(a.stdout, "emails written to %s (*.eml), registered letters to %s\n", outbox, filepath.Join(outbox, "letters"))
			pool.Close()
			if noServe {
				return nil
			}
			if cfg.Server.Password == "" {
				b := make([]byte, 9)
				if _, err := rand.Read(b); err != nil {
					return err
				}
				cfg.Server.Password = hex.EncodeToString(b)
			}
			// A demo must not fail because something else holds the port:
			// fall back to any free one, the URL printed below says which.
			if ln, err := net.Listen("tcp", cfg.Server.Addr); err != nil {
				fmt.Fprintf(a.stdout, "%s is busy (%v); using a free port\n", cfg.Server.Addr, err)
				cfg.Server.Addr = "127.0.0.1:0"
			} else {
				ln.Close()
			}
			return a.serve(ctx, cfg, serveOptions{ready: func(addr string) {
				fmt.Fprintf(a.stdout, "River UI: http://%s/jobs/  (login %s / %s)\nCtrl-C to stop.\n",
					addr, cfg.Server.Username, cfg.Server.Password)
			}})
		},
	}
	cmd.Flags().StringVar(&examples, "examples", "", "import `DIR`/portefeuille.csv and DIR/paiements.csv instead of generating a portfolio")
	cmd.Flags().IntVar(&clients, "clients", 2000, "clients in the generated portfolio")
	cmd.Flags().IntVar(&invoices, "invoices", 20000, "open items in the generated portfolio")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the generated portfolio (the same seed gives the same portfolio)")
	cmd.Flags().StringVar(&asOf, "as-of", "2025-09-12", "the day the generated portfolio is dated and swept, YYYY-MM-DD (the shipped examples are dated 2025-09-12)")
	cmd.Flags().BoolVar(&noServe, "no-serve", false, "stop after the sweep instead of running the daemon")
	cmd.AddCommand(newDemoGenerateCmd(a))
	return cmd
}

// writeDemoFiles writes p as the two files an ERP export would give:
// portefeuille.csv (open items) and paiements.csv (dated payments).
func writeDemoFiles(p *portfolio.Portfolio, dir string) error {
	inv, err := os.Create(filepath.Join(dir, "portefeuille.csv"))
	if err != nil {
		return err
	}
	defer inv.Close()
	pay, err := os.Create(filepath.Join(dir, "paiements.csv"))
	if err != nil {
		return err
	}
	defer pay.Close()
	if err := p.WriteCSV(inv, pay); err != nil {
		return fmt.Errorf("demo: write portfolio: %w", err)
	}
	if err := inv.Close(); err != nil {
		return err
	}
	return pay.Close()
}

// recordDemoLedger records, through the ledger as a person would (actor
// "demo"), the portfolio's disputes, which the import contract cannot
// carry, and a few of what credit managers record every week so that the
// dashboard and the timelines have something to show: two promises to pay,
// a pause and an insolvency proceeding, on the first clients with overdue
// invoices.
func (a *app) recordDemoLedger(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, day time.Time, disputes []portfolio.Dispute) error {
	store := ledger.New(pool, ledger.Options{Entity: cfg.Entity, DisputeReasons: cfg.DisputeCodes(), PromiseGraceDays: cfg.Promises.GraceDays})
	codes := cfg.DisputeCodes()
	byDay := map[time.Time][]ledger.DisputeOpening{}
	var days []time.Time
	for _, d := range disputes {
		reason := d.Reason
		if !slices.Contains(codes, reason) { // a configuration without the default codes
			reason = codes[len(codes)-1]
		}
		if _, ok := byDay[d.Opened]; !ok {
			days = append(days, d.Opened)
		}
		byDay[d.Opened] = append(byDay[d.Opened], ledger.DisputeOpening{Invoice: d.Invoice, Reason: reason, Note: d.Note})
	}
	slices.SortFunc(days, func(x, y time.Time) int { return x.Compare(y) })
	for _, opened := range days {
		if _, err := store.OpenDisputes(ctx, ledger.Act{Actor: "demo", Day: opened}, byDay[opened]); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	clients, err := store.Clients(ctx, day)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	var overdue []string
	for _, c := range clients {
		if c.Overdue > 0 {
			overdue = append(overdue, c.Code)
		}
	}
	by := ledger.Act{Actor: "demo", Day: day}
	steps := []func(code string) error{
		func(code string) error {
			_, err := store.RecordPromise(ctx, by, ledger.PromiseRequest{Target: "client:" + code, PayBy: day.AddDate(0, 0, 10), Note: "virement annoncé par téléphone"})
			return err
		},
		func(code string) error {
			_, err := store.RecordPromise(ctx, by, ledger.PromiseRequest{Target: "client:" + code, PayBy: day.AddDate(0, 0, 3), Note: "chèque à l'encaissement"})
			return err
		},
		func(code string) error {
			_, err := store.PauseClient(ctx, by, code, "échéancier en cours de négociation", day.AddDate(0, 0, 14))
			return err
		},
		func(code string) error {
			return store.RecordInsolvency(ctx, by, code, ledger.Insolvency{Kind: ledger.Redressement,
				Opened: day.AddDate(0, 0, -20), Published: day.AddDate(0, 0, -5)})
		},
	}
	for i, step := range steps {
		if i >= len(overdue) {
			break
		}
		if err := step(overdue[i]); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	fmt.Fprintf(a.stdout, "recorded %d disputes, and on %s promises, a pause and an insolvency (actor demo)\n",
		len(disputes), strings.Join(overdue[:min(len(overdue), len(steps))], ", "))
	return nil
}
