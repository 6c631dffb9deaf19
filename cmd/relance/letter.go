package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/ledger"
)

func newLetterCmd(a *app) *cobra.Command {
	var r recording
	cmd := &cobra.Command{
		Use:   "letter",
		Short: "List the registered letters (formal notices) and record their posting",
		Long: `A level-5 step sends a formal notice (mise en demeure) as a registered letter
with acknowledgement of receipt. The send worker lays it out as a PDF with a
JSON manifest (recipient's postal address, sender, the invoices claimed)
under letters.dir/<day>/, and hands it to the entity's letter channel
(relance entity set CODE --letter-channel outbox|webhook):

  outbox   the PDF waits there for a person to print and post it; record the
           posting with ` + "`relance letter posted ID --tracking NUMBER`" + `
  webhook  it is POSTed to the postal or electronic registered-letter
           provider at letters.webhook.url, whose proofs of deposit and of
           delivery or refusal come back to POST /webhooks/letters on
           ` + "`relance serve`" + ` (docs/letters-webhook.md)

Either way the letter's reminders count as sent once it is handed over, and
every change shows on the client's timeline.`,
		Example: `  relance letter list --unposted
  relance letter posted 12 --tracking "1A 123 456 7890 1"
  relance letter list --client C042`,
	}
	r.registerEntity(cmd)
	cmd.AddCommand(newLetterListCmd(a, &r), newLetterPostedCmd(a, &r))
	return cmd
}

func newLetterListCmd(a *app, r *recording) *cobra.Command {
	var f ledger.LetterFilter
	cmd := &cobra.Command{
		Use:   "list [--unposted] [--client CLIENT]",
		Short: "List the letters, oldest first, with where each is and its PDF",
		Long: `letter list shows each letter: its number (the ID letter posted takes), date,
client, invoices, channel, status (ready: waiting in the outbox; posted;
deposited; delivered; refused; failed: undeliverable), tracking number, the
email copy's fate and the PDF to print.`,
		Example: `  relance letter list --unposted       # what waits to be printed and posted
  relance letter list --client C042`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			letters, err := s.store.Letters(cmd.Context(), f)
			if err != nil {
				return err
			}
			l := s.locale()
			if len(letters) == 0 {
				fmt.Fprintln(a.stdout, say(l, "aucun courrier", "no letters"))
				return nil
			}
			w := table(a.stdout)
			fmt.Fprintln(w, say(l, "N°\tDATE\tCLIENT\tFACTURES\tCANAL\tSTATUT\tLE\tSUIVI\tCOPIE E-MAIL\tPDF",
				"ID\tDATE\tCLIENT\tINVOICES\tCHANNEL\tSTATUS\tON\tTRACKING\tEMAIL COPY\tPDF"))
			for _, x := range letters {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, fmtDay(x.Day, l), x.ClientCode,
					strings.Join(x.Invoices, ", "), x.Channel, letterStatus(x.Status, l), fmtDay(x.StatusDay(), l),
					x.Tracking, copyStatus(x.Copy.Status, l), x.File)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&f.Unposted, "unposted", false, "only the letters waiting in the outbox for a person to post them")
	cmd.Flags().StringVar(&f.Client, "client", "", "only this client's")
	return cmd
}

func newLetterPostedCmd(a *app, r *recording) *cobra.Command {
	var tracking string
	cmd := &cobra.Command{
		Use:   "posted ID --tracking NUMBER [--as-of DATE]",
		Short: "Record that a letter of the outbox was posted as a registered letter",
		Long: `letter posted records that the outbox letter ID (from letter list) went to the
post office as a registered letter with acknowledgement of receipt, on --as-of
(today by default), with the number on its receipt. The posting goes on the
client's timeline with who recorded it. A letter handed to the provider
(webhook channel) gets its proofs from the provider instead.`,
		Example: `  relance letter posted 12 --tracking "1A 123 456 7890 1"
  relance letter posted 12 --tracking 1A12345678901 --as-of 2025-09-16`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("letter posted %q: want a letter number, as letter list shows it", args[0])
			}
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			x, err := s.store.PostLetter(cmd.Context(), a.act(s.day), id, tracking)
			if err != nil {
				return err
			}
			l := s.locale()
			fmt.Fprintf(a.stdout, say(l, "courrier %d (client %s, %s) posté le %s, suivi %s\n", "letter %d (client %s, %s) posted on %s, tracking %s\n"),
				x.ID, x.ClientCode, strings.Join(x.Invoices, ", "), fmtDay(x.PostedOn, l), x.Tracking)
			return nil
		},
	}
	cmd.Flags().StringVar(&tracking, "tracking", "", "the registered letter's `NUMBER`, from the post office's receipt")
	_ = cmd.MarkFlagRequired("tracking")
	r.registerAsOf(cmd)
	return cmd
}

// letterStatus is a letter's status in the output's language.
func letterStatus(status, l string) string {
	if l != "fr" {
		return status
	}
	return map[string]string{ledger.LetterReady: "à poster", ledger.LetterPosted: "posté", ledger.LetterDeposited: "déposé",
		ledger.LetterDelivered: "distribué", ledger.LetterRefused: "refusé", ledger.LetterFailed: "non distribuable"}[status]
}

// copyStatus is what became of a letter's email copy, in the output's
// language.
func copyStatus(status, l string) string {
	if l != "fr" {
		return status
	}
	return map[string]string{ledger.CopySent: "envoyée", ledger.CopyOff: "non prévue", ledger.CopySkipped: "pas d'adresse valide",
		ledger.CopyFailed: "échec"}[status]
}
