package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/aging"
)

func newKPICmd(a *app) *cobra.Command {
	var asOf, entity, format string
	var subsidiaries bool
	var months int
	cmd := &cobra.Command{
		Use:   "kpi",
		Short: "Print collection KPIs: DSO, DMP, late rate, CEI, recovery by cohort, recovery rate and cost, promises, disputes",
		Long: `kpi computes, per currency, the collection KPIs over a window of --months full
calendar months ending with the month of --as-of (today by default):

  DSO      count-back: monthly sales (invoices incl. VAT by issue month),
           newest first, each full month counting its length in days, until
           they cover the net receivables at the date
  DMP      amount-weighted (settlement date − issue date) of the invoices
           settled in full in the window (write-offs left out)
  late     overdue ÷ aged receivables, and each bucket's share
  CEI      (opening + net sales − closing) ÷ (opening + net sales − closing
           not due) × 100 over the window
  cohorts  for each issue month, the share of its invoices collected by the
           end of month M+k
  credit   clients using 50% or more of their credit limit
  recovery collected ÷ due over the window; what was recovered after the
           due date, amicably or while a legal case held the invoice; the
           cost of recovery: (case costs + registered letters ×
           letters.cost) ÷ recovered
  promises promises found kept ÷ kept or broken in the window
  disputes mean days from opening to resolution of those resolved in the
           window; those open and their mean age

Every definition, with a worked example, is in docs/kpi.md.

It also grades every client's payment history A–E (docs/payer-score.md) and
STORES the grade on the client (payer_score, payer_score_at), where plan
assignment rules can use it.`,
		Example: `  relance kpi
  relance kpi --as-of 2025-12-31 --months 6
  relance kpi --format json
  relance kpi --entity holding-sud --subsidiaries`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
			}
			if months < 1 || months > 120 {
				return fmt.Errorf("--months %d: want 1 to 120", months)
			}
			cfg, date, entity, err := a.reportScope(asOf, entity)
			if err != nil {
				return err
			}
			if err := checkSubsidiaries(subsidiaries, entity); err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := a.openDB(ctx, cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := checkEntity(ctx, db, entity); err != nil {
				return err
			}
			k, err := aging.Compute(ctx, db, aging.KPIOptions{
				Options: aging.Options{AsOf: date, Edges: cfg.Aging.Buckets, Entity: entity, Subsidiaries: subsidiaries}, Months: months,
				LetterCost: cfg.LetterCost()})
			if err != nil {
				return err
			}
			if format == "json" {
				return aging.WriteKPIJSON(a.stdout, k)
			}
			return aging.WriteKPITable(a.stdout, k, cfg.Locale)
		},
	}
	f := cmd.Flags()
	f.StringVar(&asOf, "as-of", "", "date of the KPIs, YYYY-MM-DD (default: today in the configured time zone)")
	f.StringVar(&entity, "entity", "", `entity code (default: the config's entity; "all" for every entity)`)
	f.BoolVar(&subsidiaries, "subsidiaries", false, "with --entity, the entities under it too (a holding with its companies)")
	f.IntVar(&months, "months", 12, "length of the window in calendar months, ending with the as-of month")
	f.StringVar(&format, "format", "table", "table or json")
	return cmd
}
