package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/letter"
	"github.com/relance/relance/internal/money"
)

func newCaseCmd(a *app) *cobra.Command {
	var r recording
	cmd := &cobra.Command{
		Use:   "case",
		Short: "Legal collection (contentieux): open a case, record its stages and costs, close it, print its file",
		Long: `When the formal notice (level 5, registered letter) has gone unanswered past
its deadline (letters.deadline_days), a client's overdue invoices go to a
case: an injonction de payer, the small-claims procedure (petites créances),
a summons (assignation), or a collection agency. From the day it opens, the
amicable ladder of its invoices stops (provisioning still happens); it
resumes the day the case closes.

A case moves through dated stages: filed, order granted, served, the
opposition deadline (served + 1 month, computed: carried to the next working
day when it falls on a weekend or a holiday), enforceable (after that
deadline), and closed, recovered or lost. It records its costs (fees,
bailiff, agency commission). What it recovers is read from the payments the
ledger receives (relance import payments) allocated to its invoices after the
day it opened: there is nothing to type twice.

Every action records who (cli:<OS user>), the day it is recorded (--as-of)
and why (--reason) on the client's timeline.`,
		Example: `  relance case open C042 --procedure injonction_de_payer --reason "mise en demeure sans effet"
  relance case open C042 F-12 F-15 --procedure agency --handler "Recouvra SAS"
  relance case stage 3 filed --on 2025-11-05 --ref "RG 25/01234"
  relance case stage 3 served --on 2025-12-01
  relance case cost 3 --kind bailiff --amount "89,50" --reason "signification"
  relance case close 3 --outcome recovered
  relance case file 3 --output dossier-3.pdf`,
	}
	r.registerEntity(cmd)
	cmd.AddCommand(newCaseOpenCmd(a, &r), newCaseListCmd(a, &r), newCaseShowCmd(a, &r), newCaseStageCmd(a, &r),
		newCaseCostCmd(a, &r), newCaseCloseCmd(a, &r), newCaseFileCmd(a, &r))
	return cmd
}

func newCaseOpenCmd(a *app, r *recording) *cobra.Command {
	var o ledger.CaseOpening
	cmd := &cobra.Command{
		Use:   "open CLIENT [INVOICE…] --procedure injonction_de_payer|petites_creances|assignation|agency",
		Short: "Open a case for a client's overdue invoices: their amicable reminders stop",
		Long: `case open opens a case on --as-of (today by default) for the invoices listed,
or, when none is, for every invoice of the client overdue that day with
something outstanding and in no open case.

It is refused for a paid invoice, one not yet due, a credit note, another
client's invoice, or one already in an open case; for a client under an
insolvency proceeding (declare the claim instead); and while no formal notice
listing one of the invoices has passed its deadline (the letter's day +
letters.deadline_days), unless --without-notice says the creditor goes ahead
anyway (a notice sent outside relance, an agency that sends its own).`,
		Example: `  relance case open C042 --procedure injonction_de_payer
  relance case open C042 F-12 F-15 --procedure petites_creances --reason "mise en demeure du 03/11 sans effet"
  relance case open C042 --procedure agency --handler "Recouvra SAS" --without-notice`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			o.Client, o.Invoices = args[0], args[1:]
			c, err := s.store.OpenCase(cmd.Context(), a.act(s.day), o)
			if err != nil {
				return err
			}
			l := s.locale()
			fmt.Fprintf(a.stdout, say(l, "dossier %d ouvert le %s pour %s (%s) : %s, %s réclamés (%s) ; relances amiables suspendues\n",
				"case %d opened on %s for %s (%s): %s, %s claimed (%s); amicable reminders stopped\n"),
				c.ID, fmtDay(c.Opened, l), c.Client, c.ClientName, ledger.CaseLabel(c.Procedure, l),
				fmtAmount(c.Claimed(), c.Currency, l), strings.Join(caseNumbers(c), ", "))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Procedure, "procedure", "", "injonction_de_payer, petites_creances, assignation or agency")
	f.StringVar(&o.Reference, "ref", "", "the court's docket (RG) or the agency's file number, when known")
	f.StringVar(&o.Handler, "handler", "", "the lawyer, commissaire de justice or agency in charge")
	f.BoolVar(&o.WithoutNotice, "without-notice", false, "open it although no formal notice listing the invoices has passed its deadline")
	f.StringVar(&o.Reason, "reason", "", "why, for the timeline")
	_ = cmd.MarkFlagRequired("procedure")
	r.registerAsOf(cmd)
	return cmd
}

func newCaseListCmd(a *app, r *recording) *cobra.Command {
	var open bool
	var client string
	cmd := &cobra.Command{
		Use:   "list [--open] [--client CLIENT]",
		Short: "List cases, oldest first, with their stage, claim, recoveries and costs",
		Example: `  relance case list
  relance case list --open                      # those open today
  relance case list --open --as-of 2025-12-31   # …or on that day, with the amounts of that day
  relance case list --client C042`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			f := ledger.CaseFilter{Client: client, AsOf: s.day}
			if open {
				f.OpenOn = s.day
			}
			cs, err := s.store.Cases(cmd.Context(), f)
			if err != nil {
				return err
			}
			l := s.locale()
			w := table(a.stdout)
			fmt.Fprintln(w, say(l, "N°\tCLIENT\tPROCÉDURE\tOUVERT LE\tÉTAPE\tFACTURES\tRÉCLAMÉ\tRECOUVRÉ\tFRAIS\tRÉFÉRENCE",
				"NO\tCLIENT\tPROCEDURE\tOPENED\tSTAGE\tINVOICES\tCLAIMED\tRECOVERED\tCOSTS\tREFERENCE"))
			for _, c := range cs {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Client, ledger.CaseLabel(c.Procedure, l),
					fmtDay(c.Opened, l), caseStage(c, l), strings.Join(caseNumbers(c), ", "), fmtAmount(c.Claimed(), c.Currency, l),
					fmtAmount(c.Recovered(), c.Currency, l), fmtAmount(c.CostTotal(), c.Currency, l), c.Reference)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&open, "open", false, "only the cases open on --as-of (today by default)")
	cmd.Flags().StringVar(&client, "client", "", "only this client's")
	cmd.Flags().StringVar(&r.asOf, "as-of", "", "the day --open and the amounts look at, YYYY-MM-DD (default: today)")
	return cmd
}

func newCaseShowCmd(a *app, r *recording) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show CASE",
		Short: "Show a case: its stages with the opposition deadline, invoices, recoveries and costs",
		Example: `  relance case show 3
  relance case show 3 --as-of 2025-12-31`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCase(cmd, *r, args[0], func(s *ledgerSession, id int64) error {
				c, err := s.store.Case(cmd.Context(), id, s.day)
				if err != nil {
					return err
				}
				return writeCase(a.stdout, c, s.locale())
			})
		},
	}
	cmd.Flags().StringVar(&r.asOf, "as-of", "", "the day the amounts are read as of, YYYY-MM-DD (default: today)")
	return cmd
}

func newCaseStageCmd(a *app, r *recording) *cobra.Command {
	var st ledger.CaseStage
	var on string
	cmd := &cobra.Command{
		Use:   "stage CASE filed|granted|served|enforceable [--on DATE] [--ref REF]",
		Short: "Record a stage of a case on the day it happened",
		Long: `case stage records that a case was filed (the request or summons lodged),
granted (the order or judgment obtained), served on the debtor, or made
enforceable, on --on (default: --as-of, today by default). Stages go forward
and are each recorded once; one may be skipped. Once served, the opposition
deadline is served + 1 month (to the same day, or the month's last; carried
to the next working day), and enforceable can only come after it.`,
		Example: `  relance case stage 3 filed --on 2025-11-05 --ref "RG 25/01234"
  relance case stage 3 granted --on 2025-11-20
  relance case stage 3 served --on 2025-12-01 --reason "acte du commissaire de justice"
  relance case stage 3 enforceable --on 2026-01-05`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st.Stage = args[1]
			return a.caseAction(cmd, *r, args[0], on, func(s *ledgerSession, id int64, day time.Time) (ledger.Case, error) {
				st.On = day
				return s.store.AdvanceCase(cmd.Context(), a.act(s.day), id, st)
			}, func(c ledger.Case, l string) {
				fmt.Fprintf(a.stdout, say(l, "dossier %d : %s le %s", "case %d: %s on %s"), c.ID, ledger.CaseLabel(st.Stage, l), fmtDay(c.StageDay(st.Stage), l))
				if st.Stage == ledger.StageServed {
					fmt.Fprintf(a.stdout, say(l, " ; délai d'opposition jusqu'au %s inclus", "; opposition deadline %s"), fmtDay(c.OppositionDeadline(), l))
				}
				fmt.Fprintln(a.stdout)
			})
		},
	}
	cmd.Flags().StringVar(&on, "on", "", "the day it happened, YYYY-MM-DD (default: --as-of)")
	cmd.Flags().StringVar(&st.Reference, "ref", "", "a docket or file number that comes with it")
	cmd.Flags().StringVar(&st.Reason, "reason", "", "why, or what it is, for the timeline")
	r.registerAsOf(cmd)
	return cmd
}

func newCaseCostCmd(a *app, r *recording) *cobra.Command {
	var e ledger.CaseCostEntry
	var amount, on string
	cmd := &cobra.Command{
		Use:   "cost CASE --kind fees|bailiff|agency_commission --amount A [--on DATE]",
		Short: "Record a cost of a case: fees, bailiff, agency commission",
		Long: `case cost records what a case cost, in its currency, incurred on --on
(default: --as-of): fees (court, registry, lawyer), bailiff (commissaire de
justice), agency_commission. A final bill may come after the case closed.
The KPIs count them in the cost of recovery.`,
		Example: `  relance case cost 3 --kind fees --amount "35,00" --reason "greffe du tribunal de commerce"
  relance case cost 3 --kind bailiff --amount "89,50" --on 2025-12-01 --reason "signification"
  relance case cost 3 --kind agency_commission --amount "150,00"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if e.Amount, err = money.Parse(amount); err != nil {
				return fmt.Errorf("--amount: %w", err)
			}
			return a.caseAction(cmd, *r, args[0], on, func(s *ledgerSession, id int64, day time.Time) (ledger.Case, error) {
				e.On = day
				return s.store.AddCaseCost(cmd.Context(), a.act(s.day), id, e)
			}, func(c ledger.Case, l string) {
				fmt.Fprintf(a.stdout, say(l, "dossier %d : %s %s ; frais du dossier %s\n", "case %d: %s %s; costs so far %s\n"),
					c.ID, ledger.CaseLabel(e.Kind, l), fmtAmount(e.Amount, c.Currency, l), fmtAmount(c.CostTotal(), c.Currency, l))
			})
		},
	}
	cmd.Flags().StringVar(&e.Kind, "kind", "", "fees, bailiff or agency_commission")
	cmd.Flags().StringVar(&amount, "amount", "", `amount in the case's currency, e.g. "89,50"`)
	cmd.Flags().StringVar(&on, "on", "", "the day it was incurred, YYYY-MM-DD (default: --as-of)")
	cmd.Flags().StringVar(&e.Note, "reason", "", "what it is: the bill, the act")
	_ = cmd.MarkFlagRequired("kind")
	_ = cmd.MarkFlagRequired("amount")
	r.registerAsOf(cmd)
	return cmd
}

func newCaseCloseCmd(a *app, r *recording) *cobra.Command {
	var cl ledger.CaseClosing
	var on string
	cmd := &cobra.Command{
		Use:   "close CASE --outcome recovered|lost [--on DATE]",
		Short: "Close a case, recovered or lost: its invoices' ladder resumes that day",
		Long: `case close ends a case on --on (default: --as-of). What it recovered is what
the ledger's payments brought to its invoices after the day it opened; the
invoices of a lost case are still open: write them off or exclude them, or
the amicable ladder resumes where it stopped.`,
		Example: `  relance case close 3 --outcome recovered --reason "réglé après signification"
  relance case close 3 --outcome lost --on 2026-03-31 --reason "débiteur introuvable"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.caseAction(cmd, *r, args[0], on, func(s *ledgerSession, id int64, day time.Time) (ledger.Case, error) {
				cl.On = day
				return s.store.CloseCase(cmd.Context(), a.act(s.day), id, cl)
			}, func(c ledger.Case, l string) {
				fmt.Fprintf(a.stdout, say(l, "dossier %d clos le %s (%s) : %s recouvrés sur %s réclamés, %s de frais\n",
					"case %d closed on %s (%s): %s recovered of %s claimed, %s in costs\n"),
					c.ID, fmtDay(c.Closed, l), ledger.CaseLabel(c.Outcome, l), fmtAmount(c.Recovered(), c.Currency, l),
					fmtAmount(c.Claimed(), c.Currency, l), fmtAmount(c.CostTotal(), c.Currency, l))
			})
		},
	}
	cmd.Flags().StringVar(&cl.Outcome, "outcome", "", "recovered or lost")
	cmd.Flags().StringVar(&on, "on", "", "the day it ended, YYYY-MM-DD (default: --as-of)")
	cmd.Flags().StringVar(&cl.Reason, "reason", "", "why, for the timeline")
	_ = cmd.MarkFlagRequired("outcome")
	r.registerAsOf(cmd)
	return cmd
}

func newCaseFileCmd(a *app, r *recording) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "file CASE --output FILE",
		Short: "Write a case's file as a PDF: invoices, reminders, letters, claim with penalties, costs",
		Long: `case file writes the file of a case (dossier de recouvrement) as an A4 PDF,
for the lawyer, the commissaire de justice, the agency or the court, as of
--as-of (today by default), in the configured locale (RELANCE_LOCALE=en for
English): both parties, the procedure and its stages, the invoices with what
was claimed and recovered, the claim with the late-payment penalties as the
formal notice computes them (interest by half-year, fixed indemnities), the
reminders and letters sent with their dates and channels, each letter's
posting day, tracking number and outcome (receipt signed, refused,
undeliverable) as recorded by 'relance letter posted' or the provider's
callbacks, and the costs.`,
		Example: `  relance case file 3 --output dossier-3.pdf
  RELANCE_LOCALE=en relance case file 3 --output case-3.pdf --as-of 2025-12-31`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCase(cmd, *r, args[0], func(s *ledgerSession, id int64) error {
				rules, err := a.penaltyRules(s.cfg)
				if err != nil {
					return err
				}
				d, err := s.store.CaseDossier(cmd.Context(), id, s.day)
				if err != nil {
					return err
				}
				pdf, err := letter.RenderCaseFile(d, rules, s.locale())
				if err != nil {
					return err
				}
				if err := writeFileAtomic(output, pdf); err != nil {
					return fmt.Errorf("--output: %w", err)
				}
				fmt.Fprintf(a.stdout, say(s.locale(), "dossier %d écrit dans %s\n", "case %d written to %s\n"), id, output)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&output, "output", "", "the PDF file to write")
	_ = cmd.MarkFlagRequired("output")
	cmd.Flags().StringVar(&r.asOf, "as-of", "", "the day the file is drawn up for, YYYY-MM-DD (default: today)")
	return cmd
}

// caseAction records something on the case arg names, on the day --on
// names (zero: the act's day): write records it, and report prints the case
// as it then stands, in the output's locale.
func (a *app) caseAction(cmd *cobra.Command, r recording, arg, on string,
	write func(s *ledgerSession, id int64, on time.Time) (ledger.Case, error), report func(c ledger.Case, locale string)) error {
	day, err := parseDay("on", on)
	if err != nil {
		return err
	}
	return a.withCase(cmd, r, arg, func(s *ledgerSession, id int64) error {
		c, err := write(s, id, day)
		if err != nil {
			return err
		}
		report(c, s.locale())
		return nil
	})
}

// withCase reads the case number arg, opens the ledger and runs fn.
func (a *app) withCase(cmd *cobra.Command, r recording, arg string, fn func(s *ledgerSession, id int64) error) error {
	id, err := caseID(arg)
	if err != nil {
		return err
	}
	s, err := a.openLedger(cmd.Context(), r)
	if err != nil {
		return err
	}
	defer s.close()
	return fn(s, id)
}

// caseID reads a case number: 3 or #3.
func caseID(arg string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("case %q: want its number, e.g. 3 (relance case list)", arg)
	}
	return id, nil
}

func caseNumbers(c ledger.Case) []string {
	out := make([]string, len(c.Invoices))
	for i, inv := range c.Invoices {
		out[i] = inv.Number
	}
	return out
}

// caseStage is the current stage, with the outcome once closed.
func caseStage(c ledger.Case, locale string) string {
	st := ledger.CaseLabel(c.Stage(), locale)
	if c.Outcome != "" {
		st += " (" + ledger.CaseLabel(c.Outcome, locale) + ")"
	}
	return st
}

// writeCase prints one case: who and what, the stages, the invoices, the
// costs and the totals.
func writeCase(out io.Writer, c ledger.Case, l string) error {
	fmt.Fprintf(out, say(l, "Dossier %d – %s – client %s (%s)\n", "Case %d – %s – client %s (%s)\n"),
		c.ID, ledger.CaseLabel(c.Procedure, l), c.Client, c.ClientName)
	for _, kv := range [][2]string{{say(l, "référence", "reference"), c.Reference}, {say(l, "mandataire", "handled by"), c.Handler}} {
		if kv[1] != "" {
			fmt.Fprintf(out, say(l, "%s : %s\n", "%s: %s\n"), kv[0], kv[1])
		}
	}
	if c.WithoutNotice {
		fmt.Fprintln(out, say(l, "ouvert sans mise en demeure échue", "opened without a formal notice past its deadline"))
	}
	fmt.Fprintln(out)
	w := table(out)
	fmt.Fprintln(w, say(l, "ÉTAPE\tDATE", "STAGE\tDATE"))
	for _, st := range []string{ledger.StageOpened, ledger.StageFiled, ledger.StageGranted, ledger.StageServed} {
		fmt.Fprintf(w, "%s\t%s\n", ledger.CaseLabel(st, l), fmtDay(c.StageDay(st), l))
	}
	fmt.Fprintf(w, "%s\t%s\n", ledger.CaseLabel("opposition_deadline", l), fmtDay(c.OppositionDeadline(), l))
	fmt.Fprintf(w, "%s\t%s\n", ledger.CaseLabel(ledger.StageEnforceable, l), fmtDay(c.Enforceable, l))
	closed := fmtDay(c.Closed, l)
	if c.Outcome != "" {
		closed += " (" + ledger.CaseLabel(c.Outcome, l) + ", " + c.ClosedBy + ")"
	}
	fmt.Fprintf(w, "%s\t%s\n\n", ledger.CaseLabel(ledger.StageClosed, l), closed)
	fmt.Fprintln(w, say(l, "FACTURE\tÉCHÉANCE\tRÉCLAMÉ\tRECOUVRÉ\tRESTE DÛ", "INVOICE\tDUE\tCLAIMED\tRECOVERED\tOUTSTANDING"))
	for _, inv := range c.Invoices {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", inv.Number, fmtDay(inv.Due, l), fmtAmount(inv.Claimed, c.Currency, l),
			fmtAmount(inv.Recovered, c.Currency, l), fmtAmount(inv.Outstanding, c.Currency, l))
	}
	fmt.Fprintf(w, "%s\t\t%s\t%s\t%s\n", say(l, "Total", "Total"), fmtAmount(c.Claimed(), c.Currency, l),
		fmtAmount(c.Recovered(), c.Currency, l), fmtAmount(c.Outstanding(), c.Currency, l))
	if len(c.Costs) > 0 {
		fmt.Fprintln(w, say(l, "\nFRAIS\tLE\tMONTANT\tDÉTAIL\tPAR", "\nCOST\tON\tAMOUNT\tDETAIL\tBY"))
		for _, x := range c.Costs {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", ledger.CaseLabel(x.Kind, l), fmtDay(x.On, l), fmtAmount(x.Amount, c.Currency, l), x.Note, x.By)
		}
		fmt.Fprintf(w, "%s\t\t%s\n", say(l, "Total des frais", "Total costs"), fmtAmount(c.CostTotal(), c.Currency, l))
	}
	return w.Flush()
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, so that a failed write never leaves half a PDF.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".relance-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after the rename
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
