package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

func newPromiseCmd(a *app) *cobra.Command {
	var r recording
	var date, amt, note string
	cmd := &cobra.Command{
		Use:   "promise INVOICE|CLIENT --date DATE [--amount A]",
		Short: "Record a promise to pay: dunning waits until the date plus a grace",
		Long: `promise records a client's word that it will pay by --date, made on --as-of
(today by default). For an invoice number, that invoice; for a client code,
every invoice it has overdue that day (prefix invoice: or client: when a code
is both; an invoice or client named list: invoice:list). --amount is what
was promised (default: all that is due). "relance promise list" lists them.

The invoices covered get no reminder and no action from --as-of through
--date + promises.grace_days (3 by default). Each sweep then settles the
promise by itself:
  kept    when the payments reach the amount in time (from that day on);
  broken  when that day passes unpaid: it is recorded, counts in the payer
          score, and dunning resumes where it stopped.`,
		Example: `  relance promise F-12 --date 2025-09-30
  relance promise C042 --date 2025-09-30 --amount "5 000,00" --note "virement fin de mois"
  relance promise client:F-12 --date 2025-09-30 --as-of 2025-09-20`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := ledger.PromiseRequest{Target: args[0], Note: note}
			var err error
			if req.PayBy, err = parseDay("date", date); err != nil {
				return err
			}
			if amt != "" {
				if req.Amount, err = money.Parse(amt); err != nil {
					return fmt.Errorf("--amount: %w", err)
				}
			}
			s, err := a.openLedger(cmd.Context(), r)
			if err != nil {
				return err
			}
			defer s.close()
			p, err := s.store.RecordPromise(cmd.Context(), a.act(s.day), req)
			if err != nil {
				return err
			}
			l := s.locale()
			fmt.Fprintf(a.stdout, say(l, "promesse de %s de payer %s au plus tard le %s (%s) : relances suspendues jusqu'au %s\n",
				"promise by %s to pay %s by %s (%s): dunning paused through %s\n"),
				p.Client, fmtAmount(p.Amount, p.Currency, l), fmtDay(p.PayBy, l), strings.Join(p.Invoices, ", "), fmtDay(p.Until, l))
			return nil
		},
	}
	r.registerEntity(cmd)
	r.registerAsOf(cmd)
	cmd.Flags().StringVar(&date, "date", "", "the day the client said it would pay, YYYY-MM-DD")
	cmd.Flags().StringVar(&amt, "amount", "", "amount promised, e.g. \"1 234,56\" (default: all that is due)")
	cmd.Flags().StringVar(&note, "note", "", "what was said, and by whom")
	_ = cmd.MarkFlagRequired("date")
	cmd.AddCommand(newPromiseListCmd(a, &r))
	return cmd
}

func newPromiseListCmd(a *app, r *recording) *cobra.Command {
	var client, status string
	cmd := &cobra.Command{
		Use:   "list [--status open|kept|broken|cancelled] [--client CLIENT]",
		Short: "List promises to pay, newest first",
		Example: `  relance promise list
  relance promise list --status open      # those holding dunning now, until their date plus the grace
  relance promise list --status broken --client C042`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch status {
			case "", ledger.PromiseOpen, ledger.PromiseKept, ledger.PromiseBroken, ledger.PromiseCancelled:
			default:
				return fmt.Errorf("--status %q: want open, kept, broken or cancelled", status)
			}
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			ps, err := s.store.Promises(cmd.Context(), client)
			if err != nil {
				return err
			}
			l := s.locale()
			w := table(a.stdout)
			fmt.Fprintln(w, say(l, "CLIENT\tFACTURES\tPROMISE LE\tPAIERA LE\tSUSPEND JUSQU'AU\tMONTANT\tÉTAT\tLE\tPAR\tNOTE",
				"CLIENT\tINVOICES\tPROMISED\tPAY BY\tHOLDS UNTIL\tAMOUNT\tSTATUS\tON\tBY\tNOTE"))
			for _, p := range ps {
				if status != "" && p.Status != status {
					continue
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Client, strings.Join(p.Invoices, ", "),
					fmtDay(p.PromisedOn, l), fmtDay(p.PayBy, l), fmtDay(p.Until, l), fmtAmount(p.Amount, p.Currency, l),
					promiseStatus(p.Status, l), fmtDay(p.SettledOn, l), p.By, strings.ReplaceAll(p.Note, "\n", " "))
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "only the promises in this state: open, kept, broken or cancelled")
	cmd.Flags().StringVar(&client, "client", "", "only this client's")
	return cmd
}

// promiseStatus names a promise's state in the locale.
func promiseStatus(status, locale string) string {
	fr := map[string]string{ledger.PromiseOpen: "en cours", ledger.PromiseKept: "tenue",
		ledger.PromiseBroken: "rompue", ledger.PromiseCancelled: "annulée"}
	if w, ok := fr[status]; ok && locale == "fr" {
		return w
	}
	return status
}
