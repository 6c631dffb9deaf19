package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/ledger"
)

func newWriteOffCmd(a *app) *cobra.Command {
	var r recording
	var o ledger.WriteOffOptions
	cmd := &cobra.Command{
		Use:   "writeoff INVOICE [--reason TEXT] [--no-vat-recovery]",
		Short: "Write an unpaid invoice off as a loss (passage en perte): 654, VAT recovered, provision reversed",
		Long: `writeoff records, on --as-of (today by default), that an invoice will not be
paid: its unpaid amount is settled by the write-off (no more reminders, out of
the aged balance), and the journal (` + "`relance provisions journal`" + `) gets:

  654    the loss: the unpaid amount excl. VAT
  44571  the VAT recovered on the unpaid amount (the VAT it includes, in the
         invoice's own ratio when the import gave its amount excl. VAT, else
         at provision.default_vat_rate)
  416    credited with the unpaid amount incl. VAT (411 when the invoice was
         never reclassified as doubtful)
  491 / 7817  the reversal of the provision booked on it, if any

French law lets the VAT of a debt that is definitively irrecoverable (a
liquidation closed for want of assets, a judgment that cannot be enforced)
be recovered, on the unpaid part only (CGI art. 272-1). When that does not
hold (a small debt abandoned without proof), --no-vat-recovery books the
whole unpaid amount incl. VAT as the loss. Who did it (cli:<user>), when and
--reason are kept on the client's timeline and the journal lines.`,
		Example: `  relance writeoff F-2025-0142 --reason "liquidation clôturée pour insuffisance d'actif"
  relance writeoff F-2025-0142 --as-of 2025-12-31 --reason "jugement du 15/12/2025"
  relance writeoff F-2025-0977 --no-vat-recovery --reason "abandon, montant non significatif"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openLedger(cmd.Context(), r)
			if err != nil {
				return err
			}
			defer s.close()
			m := s.cfg.ProvisionMatrix()
			o.DefaultVATBP = m.DefaultVATBP
			w, err := s.store.WriteOff(cmd.Context(), a.act(s.day), args[0], o)
			if err != nil {
				return err
			}
			l, cur := s.locale(), w.Currency
			acct := s.cfg.ProvisionAccounts()
			receivable := acct.Receivable
			if w.Doubtful {
				receivable = acct.Doubtful
			}
			fmt.Fprintf(a.stdout, say(l, "%s (client %s) passée en perte le %s : %s TTC\n", "%s (client %s) written off on %s: %s incl. VAT\n"),
				w.Invoice, w.Client, fmtDay(w.Day, l), fmtAmount(w.Amount, cur, l))
			fmt.Fprintf(a.stdout, say(l, "  %s perte %s, %s TVA récupérée %s, %s crédité de %s\n", "  %s loss %s, %s VAT recovered %s, %s credited %s\n"),
				acct.Loss, fmtAmount(w.Loss, cur, l), acct.VAT, fmtAmount(w.VAT, cur, l), receivable, fmtAmount(w.Amount, cur, l))
			if w.Reversed > 0 {
				fmt.Fprintf(a.stdout, say(l, "  %s / %s reprise de la dépréciation : %s\n", "  %s / %s provision reversed: %s\n"),
					acct.Allowance, acct.Reversal, fmtAmount(w.Reversed, cur, l))
			}
			return nil
		},
	}
	r.registerEntity(cmd)
	r.registerAsOf(cmd)
	cmd.Flags().StringVar(&o.Reason, "reason", "", "why it is lost: a judgment, a closed liquidation…")
	cmd.Flags().BoolVar(&o.NoVATRecovery, "no-vat-recovery", false, "book the whole unpaid amount incl. VAT as the loss (the debt is not definitively irrecoverable)")
	return cmd
}
