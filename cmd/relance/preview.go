package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/preview"
	"github.com/relance/relance/worker"
)

func newPreviewCmd(a *app) *cobra.Command {
	var asOf, format, entity string
	var planFiles []string
	var days int
	cmd := &cobra.Command{
		Use:   "preview",
		Short: "Dry run: list what would be sent on a date, and to whom",
		Long: `Dry run of the daily sweep. For each day from --as-of over --days days and
each client, it lists the message that would go out (channel, the template of
the highest step due, the invoices with their amounts, and late penalties on
steps that state them), the action steps that would fire (provision,
phone_call), the provisions the sweep's review would propose (a provision
step priced by the matrix, or an insolvency opened: amount, rate, cause), and
the invoices a message would have gone out for but that are held back, with
the reason: insolvency, paused (a pause of the client),
net_balance (the client's credits cover its debt), dispute, promise,
min_amount, case (an open legal case holds its messages, not its
provisioning), waiting (the previous reminder is still waiting to be sent), gap
(min_gap since the previous reminder), no_email or bouncing (no working
address for an email step), no_postal_address (a formal notice to a client
without a postal address: the sweep decides it, the send worker would fail
it). An excluded client or invoice is out of dunning and not listed.

It runs the daemon's own sweep for each day, in one database transaction that
it rolls back at the end: the decisions are the ones the sweep would take,
nothing is sent, and nothing is written. Later days assume the earlier days'
messages went out; payments already recorded with a later date count from
that date. The sweeps run on copies of the tables they write, so the
daemon's sweep never waits for a preview, nor a preview for it.
The first line says how old the entity's invoice and payment data are (the
as-of of the newest import of each), and whether sends would wait for fresh
payments (sweep.max_data_age).

With --plan FILE it previews a plan file that is not in the configuration
yet (repeat --plan to merge several files, as plans.files does): the file is
checked as ` + "`relance plan check`" + ` checks it, and a bad one stops the preview
with each error at file:line:column (exit status 2).

Examples:
  relance preview
  relance preview --as-of 2025-09-12 --days 7
  relance preview --plan draft.yaml --days 14
  relance preview --format json | jq '.days[].messages[]'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			if days < 1 || days > 366 {
				return fmt.Errorf("--days %d: want 1 to 366", days)
			}
			cfg, err := a.config()
			if err != nil {
				return err
			}
			day, err := a.asOf(asOf, cfg)
			if err != nil {
				return err
			}
			logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			var sweeper *worker.Sweeper
			if len(planFiles) > 0 {
				set, _, err := a.checkedPlans(cfg, planFiles)
				if err != nil {
					return err
				}
				sweeper, err = a.sweeperWith(cfg, logger, set)
				if err != nil {
					return err
				}
			} else if sweeper, err = a.newSweeper(cfg, logger); err != nil {
				return err
			}
			// The preview states one rule set: the configured one, else the
			// French default, that of a client without a country (the
			// sweep's send worker picks per client's country).
			rules, err := a.penaltyRules(cfg)
			if err != nil {
				return err
			}
			calc := rules.For("")
			if entity == "" {
				entity = cfg.Entity
			}
			db, err := a.openSimulation(cmd.Context(), cfg, entity)
			if err != nil {
				return err
			}
			defer db.Close()
			rep, err := preview.Run(cmd.Context(), db, preview.Options{Entity: entity, From: day, Days: days,
				Sweeper: sweeper, Plans: sweeper.Plans, Penalties: calc})
			if err != nil {
				return err
			}
			fresh, err := ledger.New(db, ledger.Options{Entity: entity}).Freshness(cmd.Context(), false)
			if err != nil {
				return err
			}
			age := a.stdout
			if format == "json" {
				age = a.stderr // the JSON on stdout stays the report alone
			}
			writeDataAge(age, fresh, entity, freshnessPolicy(cfg), a.clock.Now(), cfg.Locale, cfg.Location())
			if format == "json" {
				return a.writeJSON(rep)
			}
			return preview.WriteText(a.stdout, rep, cfg.Locale, sweeper.Plans)
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "first day previewed, YYYY-MM-DD (default: today in the configured time zone)")
	cmd.Flags().IntVar(&days, "days", 1, "number of days to preview")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&entity, "entity", "", "entity code (default: the configured entity)")
	cmd.Flags().StringArrayVar(&planFiles, "plan", nil, "preview with this plan `FILE` instead of the configured plans (repeat to merge files)")
	return cmd
}
