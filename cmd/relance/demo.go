package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/importer"
	"github.com/relance/relance/internal/pgcluster"
)

func newDemoCmd(a *app) *cobra.Command {
	var examples, asOf string
	var noServe bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run relance locally on a private PostgreSQL and a generated French portfolio",
		Long: `demo is self-contained. Unless DATABASE_URL is set it starts a private
PostgreSQL cluster in a temporary directory (initdb + pg_ctl, removed at the
end) and migrates it. Then it shows the main job end to end:

  1. imports the example portfolio (examples/portefeuille.csv and
     examples/paiements.csv, open items at 12/09/2025);
  2. sweeps that day and sends the reminders it decided with the file
     transport: one .eml per message in mail.dir (./outbox), registered
     letters as PDF in mail.dir/letters;
  3. runs the daemon (relance serve) with River UI, printing its URL and
     login, until Ctrl-C. The daily schedule is off: the demo's day is in
     the past.

Examples:
  make demo
  relance demo --no-serve            # stop after the sweep
  relance demo --as-of 2025-10-15    # sweep another day of the same portfolio`,
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
			opt := importer.Options{Entity: cfg.Entity, AsOf: day, DefaultTerms: cfg.DefaultTerms(), EOM: cfg.EOMMethod()}
			for _, imp := range []struct {
				file string
				run  importFunc
			}{{"portefeuille.csv", importer.ImportInvoices}, {"paiements.csv", importer.ImportPayments}} {
				path := filepath.Join(examples, imp.file)
				res, err := imp.run(ctx, pool, path, opt)
				if err != nil {
					return fmt.Errorf("demo: import %s: %w", path, err)
				}
				fmt.Fprintf(a.stdout, "imported %s: %d rows\n", path, res.Rows)
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
			return a.serve(ctx, cfg, serveOptions{ready: func(addr string) {
				fmt.Fprintf(a.stdout, "River UI: http://%s/jobs/  (login %s / %s)\nCtrl-C to stop.\n",
					addr, cfg.Server.Username, cfg.Server.Password)
			}})
		},
	}
	cmd.Flags().StringVar(&examples, "examples", "examples", "directory holding portefeuille.csv and paiements.csv")
	cmd.Flags().StringVar(&asOf, "as-of", "2025-09-12", "day to sweep (the example portfolio is dated 2025-09-12)")
	cmd.Flags().BoolVar(&noServe, "no-serve", false, "stop after the sweep instead of running the daemon")
	cmd.AddCommand(newDemoGenerateCmd(a))
	return cmd
}
