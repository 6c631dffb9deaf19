package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/claim"
	"github.com/relance/relance/internal/letter"
)

func newClaimCmd(a *app) *cobra.Command {
	var r recording
	var output, practitioner, signatory string
	cmd := &cobra.Command{
		Use:   "claim CLIENT [--output FILE.pdf] [--practitioner TEXT] [--signatory TEXT]",
		Short: "State the claim to declare in a client's insolvency proceeding; --output lays out the déclaration de créance",
		Long: `claim states what to declare to the insolvency practitioner (mandataire
judiciaire) in the client's proceeding, arrêté au jour du jugement d'ouverture:
every invoice issued before the opening and unpaid on its eve, with its
principal, the late-payment interest up to the day before the opening (the
judgment stops it) by half-year, and the fixed indemnity, under the client's
penalty rules; invoices not yet due at the opening are declared too (à échoir).

--output writes the printable déclaration de créance (PDF, in French): the
creditor and the debtor with their addresses, SIREN and VAT numbers, the
proceeding, the declaration, the invoices, the interest by half-year, the
totals, and the certification to sign. --practitioner fills in the addressee
(lines separated by "|"); --signatory the name and position of who signs.`,
		Example: `  relance claim C042
  relance claim C042 --output declaration-C042.pdf \
      --practitioner "SELARL Mandataires Associés|Me Jeanne Martin|12 quai de la Loire|44000 Nantes" \
      --signatory "Paul Durand, directeur financier"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openLedger(cmd.Context(), r)
			if err != nil {
				return err
			}
			defer s.close()
			rules, err := a.penaltyRules(s.cfg)
			if err != nil {
				return err
			}
			c, err := claim.Load(cmd.Context(), s.store, rules, args[0], s.day)
			if err != nil {
				return err
			}
			a.printClaim(c, s.locale())
			if output == "" {
				return nil
			}
			var to []string
			for _, l := range strings.Split(practitioner, "|") {
				if l = strings.TrimSpace(l); l != "" {
					to = append(to, l)
				}
			}
			pdf, err := letter.RenderDeclaration(letter.Declaration{Claim: c, Practitioner: to, Signatory: signatory})
			if err != nil {
				return err
			}
			if err := writeOutput(a.stdout, output, func(w io.Writer) error { _, err := w.Write(pdf); return err }); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, say(s.locale(), "déclaration de créance écrite dans %s\n", "claim declaration written to %s\n"), output)
			return nil
		},
	}
	r.registerEntity(cmd)
	cmd.Flags().StringVar(&r.asOf, "as-of", "", "the statement's date, YYYY-MM-DD (default: today)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the déclaration de créance as a PDF to FILE")
	cmd.Flags().StringVar(&practitioner, "practitioner", "", `the mandataire's name and address, lines separated by "|"`)
	cmd.Flags().StringVar(&signatory, "signatory", "", "name and position of who signs for the creditor")
	return cmd
}

// printClaim writes the claim's statement: the proceeding, each invoice
// and the totals.
func (a *app) printClaim(c claim.Claim, l string) {
	in := c.Proceeding
	fmt.Fprintf(a.stdout, say(l, "%s (%s) : %s ouvert le %s", "%s (%s): %s opened %s"), c.Debtor.Name, c.Client, in.Kind, fmtDay(in.Opened, l))
	if !in.Published.IsZero() {
		fmt.Fprintf(a.stdout, say(l, ", publié le %s, à déclarer au plus tard le %s", ", published %s, to declare by %s"),
			fmtDay(in.Published, l), fmtDay(in.ClaimDeadline(), l))
	}
	fmt.Fprintf(a.stdout, say(l, " (règles %s)\n", " (%s rules)\n"), c.RuleSet)
	w := table(a.stdout)
	fmt.Fprintln(w, say(l, "FACTURE\tDATE\tÉCHÉANCE\tNATURE\tPRINCIPAL\tINTÉRÊTS\tINDEMNITÉ\tTOTAL",
		"INVOICE\tDATE\tDUE\tNATURE\tPRINCIPAL\tINTEREST\tINDEMNITY\tTOTAL"))
	for _, it := range c.Items {
		nature := say(l, "échue", "due")
		if it.NotDue() {
			nature = say(l, "à échoir", "not yet due")
		}
		cur := it.Currency
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.Number, fmtDay(it.Issued, l), fmtDay(it.Due, l), nature,
			fmtAmount(it.Principal, cur, l), fmtAmount(it.Interest, cur, l), fmtAmount(it.Indemnity, cur, l), fmtAmount(it.Total(), cur, l))
	}
	for _, t := range c.Totals {
		cur := t.Currency
		fmt.Fprintf(w, "%s\t\t\t\t%s\t%s\t%s\t%s\n", say(l, "TOTAL À DÉCLARER", "TOTAL TO DECLARE"), fmtAmount(t.Principal, cur, l),
			fmtAmount(t.Interest, cur, l), fmtAmount(t.Indemnity, cur, l), fmtAmount(t.Sum(), cur, l))
	}
	w.Flush()
}
