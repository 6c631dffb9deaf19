package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/aging"
)

func newAgingCmd(a *app) *cobra.Command {
	var asOf, entity, client, profile, format, by, output string
	var excludeDisputed, subsidiaries bool
	cmd := &cobra.Command{
		Use:   "aging",
		Short: "Print the aged balance (balance âgée)",
		Long: `aging prints the aged receivables as they stood on a date (today by default):
each client's open amount per bucket of days late, overdue, unapplied credit
(credit notes naming no invoice and unallocated payments, ≤ 0), total, late
rate (overdue ÷ sum of the buckets) and the amount of its invoices in dispute
on the date (table, JSON and XLSX; the CSV contract has no such column), a
TOTAL row and each bucket's share. One section per currency: different
currencies are never added. --exclude-disputed leaves the invoices in dispute
out of the buckets and totals; the disputed column still shows them.

--entity all consolidates a group: every entity, each client's row with its
entity, and a subtotal per entity (table, JSON, XLSX; the CSV lists the
clients of every entity). --subsidiaries consolidates one part of it: the
entity with every entity under it (relance entity set CODE --parent HOLDING),
at any depth, laid out the same way.

A past --as-of is replayed exactly: documents issued after it are left out,
and a settlement counts only from the day it is applied and both of its sides
exist (a deposit received before its invoice is unapplied cash until the
invoice is issued).

Views (--by):
  client   one row per client (default)
  bucket   for each bucket, its clients, largest amount first
  invoice  every open item with days late, bucket, dispute and promise state,
           and the next step of its client's plan with the earliest day it
           can fire ("level3 2025-09-22"), as the daily sweep would take it
           if nothing changed; a dispute or promise shown beside it holds it

Formats (--format): table (numbers in the configured locale), csv (the
contract of DESIGN.md §4), json (docs/aging-json.md), xlsx (one sheet per
view, real numbers, and a stacked bar chart of the top 20 clients; needs
--output). Bucket edges come from aging.buckets in the config.`,
		Example: `  relance aging
  relance aging --as-of 2025-06-30 --format csv --output balance.csv
  relance aging --by bucket --client C001
  relance aging --by invoice --format json
  relance aging --entity all --exclude-disputed
  relance aging --entity holding-sud --subsidiaries --format xlsx --output sud.xlsx
  relance aging --format xlsx --output balance-agee.xlsx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "table", "csv", "json", "xlsx":
			default:
				return fmt.Errorf("--format %q: want table, csv, json or xlsx", format)
			}
			switch by {
			case "client", "bucket", "invoice":
			default:
				return fmt.Errorf("--by %q: want client, bucket or invoice", by)
			}
			if format == "xlsx" && output == "" {
				return fmt.Errorf("--format xlsx needs --output FILE")
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
			opts := aging.Options{AsOf: date, Edges: cfg.Aging.Buckets, Entity: entity, Client: client, Profile: profile,
				Subsidiaries: subsidiaries, ExcludeDisputed: excludeDisputed}

			out := a.stdout
			var file *os.File
			if output != "" {
				if file, err = os.Create(output); err != nil {
					return err
				}
				defer file.Close()
				out = file
			}
			var next aging.NextStepper
			if by == "invoice" || format == "xlsx" {
				set, err := loadPlans(cfg)
				if err != nil {
					return err
				}
				next = aging.NewPlanNextStep(set, date)
			}
			bw := bufio.NewWriter(out)
			if err := writeAging(cmd, db, opts, next, format, by, cfg.Locale, bw); err != nil {
				if file != nil {
					file.Close()
					os.Remove(output) // never leave half a report behind
				}
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			if file != nil {
				return file.Close()
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&asOf, "as-of", "", "date of the balance, YYYY-MM-DD (default: today in the configured time zone)")
	f.StringVar(&entity, "entity", "", `entity code (default: the config's entity; "all" for every entity)`)
	f.BoolVar(&subsidiaries, "subsidiaries", false, "with --entity, the entities under it too (a holding with its companies), each with its subtotal")
	f.StringVar(&client, "client", "", "only this client code")
	f.StringVar(&profile, "profile", "", "only clients with this explicit plan profile")
	f.StringVar(&format, "format", "table", "table, csv, json or xlsx")
	f.StringVar(&by, "by", "client", "view: client, bucket or invoice")
	f.StringVarP(&output, "output", "o", "", "write to FILE instead of standard output")
	f.BoolVar(&excludeDisputed, "exclude-disputed", false, "leave the invoices in dispute on the date out of the buckets and totals")
	return cmd
}

// writeAging renders one view in one format (aging.Write).
func writeAging(cmd *cobra.Command, db aging.Querier, o aging.Options, next aging.NextStepper, format, by, locale string, w io.Writer) error {
	return aging.Write(cmd.Context(), db, o, next, aging.View{Format: format, By: by, Locale: locale}, w)
}
