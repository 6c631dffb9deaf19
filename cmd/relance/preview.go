package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/internal/preview"
)

func newPreviewCmd(a *app) *cobra.Command {
	var asOf, format, entity string
	var days int
	cmd := &cobra.Command{
		Use:   "preview",
		Short: "Dry run: list what would be sent on a date, and to whom",
		Long: `Dry run of the daily sweep. For each day from --as-of over --days days and
each client, it lists the message that would go out (channel, the template of
the highest step due, the invoices with their amounts, and late penalties on
steps that state them), the action steps that would fire (provision,
phone_call), and the invoices held back with the reason: dispute, promise,
gap (min_gap since the previous reminder), min_amount, insolvency,
net_balance, excluded.

Nothing is sent or written. Later days assume the earlier days' messages
went out; payments already recorded with a later date are taken into account.

Examples:
  relance preview
  relance preview --as-of 2025-09-12 --days 7
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
			set, err := loadPlans(cfg)
			if err != nil {
				return err
			}
			rates, err := penalty.LoadRates(cfg.Penalties.RatesFile)
			if err != nil {
				return err
			}
			calc, err := penalty.New(cfg.Penalties.RuleSet, rates, cfg.Penalties.ContractualRate)
			if err != nil {
				return err
			}
			if entity == "" {
				entity = cfg.Entity
			}
			db, err := a.openDB(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			rep, err := preview.Run(cmd.Context(), db, preview.Options{Entity: entity, From: day, Days: days, Plans: set, Penalties: calc})
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			writePreview(a.stdout, rep)
			return nil
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "first day previewed, YYYY-MM-DD (default: today in the configured time zone)")
	cmd.Flags().IntVar(&days, "days", 1, "number of days to preview")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&entity, "entity", "", "entity code (default: the configured entity)")
	return cmd
}

// writePreview prints the report for a terminal.
func writePreview(w io.Writer, rep *preview.Report) {
	for _, d := range rep.Days {
		t, _ := time.Parse(time.DateOnly, d.Date)
		fmt.Fprintf(w, "%s (%s)\n", d.Date, t.Weekday())
		if len(d.Messages)+len(d.Actions)+len(d.Held) == 0 {
			fmt.Fprintln(w, "  nothing")
		}
		for _, m := range d.Messages {
			fmt.Fprintf(w, "  %s %s — %s, template %s (profile %s), %d invoice(s), %s %s\n",
				m.ClientCode, m.ClientName, m.Channel, m.Template, m.Profile, len(m.Invoices), money.FormatPlain(m.Total), m.Currency)
			for _, l := range m.Invoices {
				pen := ""
				if l.Interest != 0 || l.Indemnity != 0 {
					pen = fmt.Sprintf("  penalties %s + indemnity %s", money.FormatPlain(l.Interest), money.FormatPlain(l.Indemnity))
				}
				fmt.Fprintf(w, "      %-14s due %s %4d d  %12s  %s%s\n", l.Number, l.DueDate, l.DaysLate, money.FormatPlain(l.Outstanding), l.StepID, pen)
			}
		}
		for _, act := range d.Actions {
			fmt.Fprintf(w, "  %s %s: action %s (%s)\n", act.ClientCode, act.Number, act.Action, act.StepID)
		}
		if len(d.Held) > 0 {
			fmt.Fprintln(w, "  held back:")
			for _, h := range d.Held {
				fmt.Fprintf(w, "      %s %-14s %12s  %s\n", h.ClientCode, h.Number, money.FormatPlain(h.Outstanding), strings.ReplaceAll(string(h.Reason), "_", " "))
			}
		}
	}
}
