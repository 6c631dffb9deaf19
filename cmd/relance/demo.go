package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
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
	"github.com/relance/relance/internal/web"
)

func newDemoCmd(a *app) *cobra.Command {
	var examples, asOf string
	var noServe bool
	var clients, invoices, weeks int
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
  2. sweeps every 7 days over the 5 weeks before that day (--weeks), then
     that day, and sends the reminders decided with the file transport: one
     .eml per message in mail.dir (./outbox), registered letters as PDF in
     mail.dir/letters; the ladder climbs a level a week, up to the formal
     notices. Each day is swept and sent on a clock at 08:00 that day, an
     hour after the files' export (07:00 on the demo's day), so the
     messages are dated that day. Each day's line counts messages (emails,
     letters), not the invoices they remind;
  3. adds an admin user with a random password, and runs the daemon
     (relance serve) with the dashboard and River UI, printing the address
     and that login once, until Ctrl-C. The daemon's clock starts at 09:00
     on the demo's day and runs on, so that the pages show that day; the
     daily schedule is off.

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
			// The files are the ERP's export of 07:00 on the demo's day, two
			// hours before the daemon's clock starts: the dashboard says the
			// data is that old, not that it comes from the wall clock's today.
			exported := time.Date(day.Year(), day.Month(), day.Day(), 7, 0, 0, 0, cfg.Location())
			opt := importer.Options{Entity: cfg.Entity, Actor: "demo", AsOf: day, DataAsOf: exported,
				DefaultTerms: cfg.DefaultTerms(), EOM: cfg.EOMMethod()}
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
			if err := a.sweepDemoDays(ctx, cfg, pool, logger, day, weeks); err != nil {
				return err
			}
			// From here the daemon's clock starts at 09:00 on the demo's
			// day, after the sweep, and runs on, so that the pages and the
			// alerts are those of that day, not of the wall clock's.
			a.clock = clock.From(time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, cfg.Location()))
			if err := a.demoAlerts(ctx, cfg, pool); err != nil {
				return err
			}
			login, password, err := demoAdmin(ctx, pool, a.clock)
			if err != nil {
				return err
			}
			pool.Close()
			if noServe {
				return nil
			}
			if cfg.Server.Password == "" {
				cfg.Server.Password = web.GeneratePassword()
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
				fmt.Fprintf(a.stdout, "\nDashboard: http://%s/\n  login %s\n  password %s  (shown this once)\n"+
					"River UI: http://%s/jobs/ (the same login)\nCtrl-C to stop.\n", addr, login, password, addr)
			}})
		},
	}
	cmd.Flags().StringVar(&examples, "examples", "", "import `DIR`/portefeuille.csv and DIR/paiements.csv instead of generating a portfolio")
	cmd.Flags().IntVar(&clients, "clients", 2000, "clients in the generated portfolio")
	cmd.Flags().IntVar(&invoices, "invoices", 20000, "open items in the generated portfolio")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the generated portfolio (the same seed gives the same portfolio)")
	cmd.Flags().StringVar(&asOf, "as-of", "2025-09-12", "the day the generated portfolio is dated and swept, YYYY-MM-DD (the shipped examples are dated 2025-09-12)")
	cmd.Flags().BoolVar(&noServe, "no-serve", false, "stop after the sweep instead of running the daemon")
	cmd.Flags().IntVar(&weeks, "weeks", 5, "also sweep, every 7 days, the `N` weeks before --as-of, so that the ladder climbs to registered letters")
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
	if err := recordDemoAddresses(ctx, store, by, overdue); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "recorded %d disputes, and on %s promises, a pause and an insolvency (actor demo)\n",
		len(disputes), strings.Join(overdue[:min(len(overdue), len(steps))], ", "))
	return nil
}

// sweepDemoDays sweeps and sends, every 7 days, the weeks before day and
// then day, and prints each day's messages and letters: the files the file
// transport wrote, not the ledger's rows (a message reminds of every
// invoice of a client at one level).
func (a *app) sweepDemoDays(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger, day time.Time, weeks int) error {
	var emails, letters, invoices int
	for w := max(weeks, 0); w >= 0; w-- {
		d := day.AddDate(0, 0, -7*w)
		// Each day is swept and sent on a clock at 08:00 that day, as the
		// daemon would have: the send guard judges the files' age then,
		// and the emails and letters are dated that day, not the wall
		// clock's.
		a.clock = clock.From(time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, cfg.Location()))
		e0, l0 := countOutbox(cfg)
		sum, err := a.sweepOnce(ctx, cfg, pool, logger, d, sweepRun{now: true, drain: true})
		if err != nil {
			return err
		}
		e1, l1 := countOutbox(cfg)
		reminded := 0
		if sum.report != nil {
			reminded = sum.report.Sent
		}
		fmt.Fprintf(a.stdout, "sweep %s: %d emails, %d registered letters (%d invoices reminded)\n", d.Format(time.DateOnly),
			e1-e0, l1-l0, reminded)
		if sum.exit() != nil { // failed or waiting: say all
			sum.print(a.stdout)
		}
		emails, letters, invoices = emails+e1-e0, letters+l1-l0, invoices+reminded
	}
	outbox, _ := filepath.Abs(cfg.Mail.Dir)
	fmt.Fprintf(a.stdout, "demo: %d emails and %d registered letters, reminding of %d invoices: emails in %s (*.eml), letters in %s (DAY/*.pdf)\n",
		emails, letters, invoices, outbox, absolute(cfg.LettersDir()))
	return nil
}

// demoAlerts runs the alert scan once, as the daemon's leader does after a
// sweep (the demo's daemon schedules nothing), and says what it raised.
func (a *app) demoAlerts(ctx context.Context, cfg config.Config, pool *pgxpool.Pool) error {
	s, err := a.scanner(cfg, pool)
	if err != nil {
		return err
	}
	raised, err := s.Scan(ctx)
	if err != nil {
		return fmt.Errorf("demo: alerts: %w", err)
	}
	parts := []string{}
	for _, k := range slices.Sorted(maps.Keys(raised)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, raised[k]))
	}
	if len(parts) == 0 {
		parts = append(parts, "none")
	}
	fmt.Fprintf(a.stdout, "alerts: %s\n", strings.Join(parts, ", "))
	return nil
}

// countOutbox counts the emails (*.eml) and letters (*.pdf) written so far.
func countOutbox(cfg config.Config) (emails, letters int) {
	e, _ := filepath.Glob(filepath.Join(cfg.Mail.Dir, "*.eml"))
	l, _ := filepath.Glob(filepath.Join(cfg.LettersDir(), "*", "*.pdf")) // a folder per day
	return len(e), len(l)
}

// demoAdminEmail is the demo's admin user.
const demoAdminEmail = "admin@demo.relance.invalid"

// demoAdmin adds the demo's admin user with a random password (or gives it
// a new one when a database of an earlier demo has it), and returns both.
func demoAdmin(ctx context.Context, pool *pgxpool.Pool, clk clock.Clock) (email, password string, err error) {
	users := web.Users{DB: pool, Clock: clk}
	password = web.GeneratePassword()
	err = users.Add(ctx, demoAdminEmail, web.RoleAdmin, password, "demo")
	if errors.Is(err, web.ErrUserExists) {
		err = users.SetPassword(ctx, demoAdminEmail, password, "demo")
	}
	if err != nil {
		return "", "", fmt.Errorf("demo: %w", err)
	}
	return demoAdminEmail, password, nil
}

// demoStreets and demoCities make the postal addresses the portfolio's
// files do not carry, which registered letters need.
var (
	demoStreets = []string{"rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo", "rue Pasteur", "place de la Mairie"}
	demoCities  = []struct{ postcode, city string }{{"69002", "Lyon"}, {"33000", "Bordeaux"}, {"59000", "Lille"}, {"44000", "Nantes"}, {"31000", "Toulouse"}}
)

// recordDemoAddresses records, as a person would with `relance entity set`
// and `client set` (actor demo), the creditor's identity and the postal
// address of each client with overdue invoices, where none is known: the
// formal notices are registered letters.
func recordDemoAddresses(ctx context.Context, store *ledger.Store, by ledger.Act, codes []string) error {
	if _, err := store.SetEntity(ctx, by, store.EntityCode(), func(e *ledger.Entity) error {
		if e.Address.IsZero() {
			e.Name, e.SIREN = "Atelier Durand SAS", "732829320"
			e.Address = ledger.Address{Line1: "12 rue des Tanneurs", Postcode: "69002", City: "Lyon"}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for i, code := range codes {
		_, err := store.SetClient(ctx, by, code, func(c *ledger.Client) error {
			if c.Address.IsZero() {
				city := demoCities[i%len(demoCities)]
				c.Address = ledger.Address{Line1: fmt.Sprintf("%d %s", 1+i%97, demoStreets[i%len(demoStreets)]),
					Postcode: city.postcode, City: city.city}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}
