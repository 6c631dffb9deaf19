package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/ledger"
)

func newDisputeCmd(a *app) *cobra.Command {
	var r recording
	cmd := &cobra.Command{
		Use:   "dispute",
		Short: "Open, resolve and list disputes (litiges): a disputed invoice gets no reminder",
		Long: `A dispute holds the dunning of one invoice, from the day it is opened
(--as-of, today by default) until it is resolved, or through --until when one
is given: it then resumes by itself. The ladder resumes where it stopped.

Reason codes come from disputes.reasons in the configuration; the defaults
are price (prix), quantity (quantité), quality (qualité), delivery
(livraison), billing (facturation) and other (autre).`,
		Example: `  relance dispute open F-12 --reason quality --note "pièces rayées"
  relance dispute open F-12 --reason delivery --until 2025-10-15
  relance dispute resolve F-12 --outcome "avoir AV-3 émis"
  relance dispute list --open`,
	}
	r.registerEntity(cmd)
	cmd.AddCommand(newDisputeOpenCmd(a, &r), newDisputeResolveCmd(a, &r), newDisputeListCmd(a, &r))
	return cmd
}

func newDisputeOpenCmd(a *app, r *recording) *cobra.Command {
	var o ledger.DisputeOpening
	var until string
	cmd := &cobra.Command{
		Use:   "open INVOICE --reason CODE [--note TEXT] [--until DATE]",
		Short: "Open a dispute on an invoice: its reminders stop",
		Long: `dispute open stops the invoice's reminders and actions from --as-of (today by
default). --reason is one of the configured codes (default: price, quantity,
quality, delivery, billing, other); --note keeps what the client said;
--until makes it end by itself after that day.`,
		Example: `  relance dispute open F-12 --reason quality --note "pièces rayées"
  relance dispute open F-12 --reason price --until 2025-10-15 --as-of 2025-09-20`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.Until, err = parseDay("until", until); err != nil {
				return err
			}
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			o.Invoice = args[0]
			d, err := s.store.OpenDispute(cmd.Context(), a.act(s.day), o)
			if err != nil {
				return err
			}
			l := s.locale()
			fmt.Fprintf(a.stdout, say(l, "litige ouvert sur %s (%s, client %s) le %s : %s", "dispute opened on %s (%s, client %s) on %s: %s"),
				d.Invoice, fmtAmount(d.Outstanding, d.Currency, l), d.Client, fmtDay(d.Opened, l), s.cfg.DisputeLabel(d.Reason, l))
			if !d.Until.IsZero() {
				fmt.Fprintf(a.stdout, say(l, ", jusqu'au %s", ", until %s"), fmtDay(d.Until, l))
			}
			fmt.Fprintln(a.stdout)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.Reason, "reason", "", "reason `CODE` (disputes.reasons: price, quantity, quality, delivery, billing, other)")
	cmd.Flags().StringVar(&o.Note, "note", "", "what the client says")
	cmd.Flags().StringVar(&until, "until", "", "last day it holds the invoice, YYYY-MM-DD (default: until resolved)")
	_ = cmd.MarkFlagRequired("reason")
	r.registerAsOf(cmd)
	return cmd
}

func newDisputeResolveCmd(a *app, r *recording) *cobra.Command {
	var outcome string
	cmd := &cobra.Command{
		Use:   "resolve INVOICE [--outcome TEXT]",
		Short: "Resolve the dispute on an invoice: its reminders resume where they stopped",
		Example: `  relance dispute resolve F-12 --outcome "avoir AV-3 émis"
  relance dispute resolve F-12 --outcome "réclamation rejetée" --as-of 2025-10-01`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			d, err := s.store.ResolveDispute(cmd.Context(), a.act(s.day), args[0], outcome)
			if err != nil {
				return err
			}
			l := s.locale()
			fmt.Fprintf(a.stdout, say(l, "litige sur %s résolu le %s", "dispute on %s resolved on %s")+"\n", d.Invoice, fmtDay(d.Resolved, l))
			return nil
		},
	}
	cmd.Flags().StringVar(&outcome, "outcome", "", "how it ended: a credit note, paid, rejected…")
	r.registerAsOf(cmd)
	return cmd
}

func newDisputeListCmd(a *app, r *recording) *cobra.Command {
	var open bool
	var client string
	cmd := &cobra.Command{
		Use:   "list [--open] [--client CLIENT]",
		Short: "List disputes, oldest first",
		Example: `  relance dispute list
  relance dispute list --open                      # those holding an invoice today
  relance dispute list --open --as-of 2025-09-30   # …or on that day
  relance dispute list --client C042`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			f := ledger.DisputeFilter{Client: client}
			if open {
				f.HoldingOn = s.day
			}
			ds, err := s.store.Disputes(cmd.Context(), f)
			if err != nil {
				return err
			}
			l := s.locale()
			w := table(a.stdout)
			fmt.Fprintln(w, say(l, "FACTURE\tCLIENT\tRESTE DÛ\tOUVERT LE\tMOTIF\tNOTE\tJUSQU'AU\tRÉSOLU LE\tISSUE\tPAR",
				"INVOICE\tCLIENT\tOUTSTANDING\tOPENED\tREASON\tNOTE\tUNTIL\tRESOLVED\tOUTCOME\tBY"))
			for _, d := range ds {
				by := d.OpenedBy
				if d.ResolvedBy != "" {
					by += ", " + d.ResolvedBy
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Invoice, d.Client, fmtAmount(d.Outstanding, d.Currency, l),
					fmtDay(d.Opened, l), s.cfg.DisputeLabel(d.Reason, l), strings.ReplaceAll(d.Note, "\n", " "),
					fmtDay(d.Until, l), fmtDay(d.Resolved, l), d.Outcome, by)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&open, "open", false, "only the disputes holding their invoice on --as-of (today by default)")
	cmd.Flags().StringVar(&client, "client", "", "only this client's")
	cmd.Flags().StringVar(&r.asOf, "as-of", "", "the day --open looks at, YYYY-MM-DD (default: today)")
	return cmd
}
