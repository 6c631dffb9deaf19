package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/claim"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/penalty"
)

func newTasksCmd(a *app) *cobra.Command {
	var r recording
	var dueBefore, kind string
	var all bool
	cmd := &cobra.Command{
		Use:   "tasks [--due-before DATE] [--kind phone_call|claim_declaration] [--all]",
		Short: "List the tasks for people (phone calls, claim declarations) with their deadlines",
		Long: `tasks lists the work the engine hands to people, the most urgent first:

  phone_call         a plan's phone_call step: call the client about the invoice
  claim_declaration  declare the claim to the insolvency practitioner within two
                     months of the proceeding's BODACC publication; the amount to
                     declare is shown: principal, interest up to the day before
                     the opening, indemnities (` + "`relance claim`" + ` prints it in full and
                     lays the declaration out as a PDF)

Deadlines fall on business days of the client's country: one that falls on a
weekend or a holiday moves to the next business day. "in" counts the days
from --as-of (today by default) to the deadline, negative once it passed.
Close a task with ` + "`relance task done ID`" + `.`,
		Example: `  relance tasks
  relance tasks --due-before 2025-10-31 --kind claim_declaration
  relance tasks --all          # closed ones too, with who closed them`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if kind != "" && kind != ledger.TaskPhoneCall && kind != ledger.TaskClaimDeclaration {
				return fmt.Errorf("--kind %q: want phone_call or claim_declaration", kind)
			}
			f := ledger.TaskFilter{Kind: kind, Done: all}
			var err error
			if f.DueBy, err = parseDay("due-before", dueBefore); err != nil {
				return err
			}
			s, err := a.openLedger(cmd.Context(), r)
			if err != nil {
				return err
			}
			defer s.close()
			tasks, err := s.store.Tasks(cmd.Context(), f)
			if err != nil {
				return err
			}
			rules, err := a.penaltyRules(s.cfg)
			if err != nil {
				return err
			}
			l := s.locale()
			w := table(a.stdout)
			head := say(l, "N°\tTÂCHE\tCLIENT\tNOM\tFACTURE\tÉCHÉANCE\tDANS (J)\tDÉTAIL", "ID\tTASK\tCLIENT\tNAME\tINVOICE\tDUE\tIN (DAYS)\tDETAIL")
			if all {
				head += say(l, "\tFAIT LE\tPAR", "\tDONE\tBY")
			}
			fmt.Fprintln(w, head)
			for _, t := range tasks {
				detail := strings.ReplaceAll(t.Note, "\n", " ; ")
				if t.Kind == ledger.TaskClaimDeclaration {
					detail = a.claimDetail(cmd, s, rules, t)
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s", t.ID, taskKind(t.Kind, l), t.Client, t.ClientName, t.Invoice,
					fmtDay(t.Due, l), clock.DaysBetween(s.day, t.Due), detail)
				if all {
					fmt.Fprintf(w, "\t%s\t%s", fmtDay(t.Done, l), t.DoneBy)
				}
				fmt.Fprintln(w)
			}
			return w.Flush()
		},
	}
	r.registerEntity(cmd)
	cmd.Flags().StringVar(&r.asOf, "as-of", "", "the day deadlines count from, YYYY-MM-DD (default: today)")
	cmd.Flags().StringVar(&dueBefore, "due-before", "", "only tasks due on or before DATE, YYYY-MM-DD")
	cmd.Flags().StringVar(&kind, "kind", "", "only phone_call or claim_declaration tasks")
	cmd.Flags().BoolVar(&all, "all", false, "closed tasks too")
	return cmd
}

// claimDetail is what a claim-declaration task says: the amount to declare
// and its parts, and the proceeding.
func (a *app) claimDetail(cmd *cobra.Command, s *ledgerSession, rules *penalty.Chooser, t ledger.Task) string {
	l := s.locale()
	c, err := claim.Load(cmd.Context(), s.store, rules, t.Client, s.day)
	if err != nil {
		return err.Error()
	}
	var parts []string
	for _, tot := range c.Totals {
		cur := tot.Currency
		parts = append(parts, fmt.Sprintf(say(l, "à déclarer %s (principal %s, intérêts %s, indemnités %s)", "to declare %s (principal %s, interest %s, indemnities %s)"),
			fmtAmount(tot.Sum(), cur, l), fmtAmount(tot.Principal, cur, l), fmtAmount(tot.Interest, cur, l), fmtAmount(tot.Indemnity, cur, l)))
	}
	if len(parts) == 0 {
		parts = append(parts, say(l, "rien à déclarer", "nothing to declare"))
	}
	return strings.Join(parts, "; ") + fmt.Sprintf(say(l, " – %s ouvert le %s", " – %s opened %s"), t.Insolvency.Kind, fmtDay(t.Insolvency.Opened, l))
}

// taskKind names a task kind in locale.
func taskKind(kind, locale string) string {
	switch kind {
	case ledger.TaskPhoneCall:
		return say(locale, "appel", "phone call")
	case ledger.TaskClaimDeclaration:
		return say(locale, "déclaration de créance", "claim declaration")
	}
	return kind
}

func newTaskCmd(a *app) *cobra.Command {
	var r recording
	cmd := &cobra.Command{
		Use:   "task",
		Short: "Close a task: relance task done ID",
		Example: `  relance task done 12 --note "appelé, règlement promis vendredi"
  relance task done 15 --note "déclaration envoyée en LRAR n° 1A 234 567 8901 2" --as-of 2025-10-20`,
	}
	r.registerEntity(cmd)
	done := &cobra.Command{
		Use:   "done ID [--note TEXT]",
		Short: "Close a task (who and when are recorded)",
		Long: `task done closes the task numbered ID (see relance tasks) on --as-of (today by
default), with --note added to it. Who closed it (cli:<user>) and when are
kept on the task and on the client's timeline.`,
		Example: `  relance task done 12 --note "appelé, règlement promis vendredi"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("task %q: want the task's number, as relance tasks lists it", args[0])
			}
			note, _ := cmd.Flags().GetString("note")
			s, err := a.openLedger(cmd.Context(), r)
			if err != nil {
				return err
			}
			defer s.close()
			t, err := s.store.CompleteTask(cmd.Context(), a.act(s.day), id, note)
			if err != nil {
				return err
			}
			l := s.locale()
			fmt.Fprintf(a.stdout, say(l, "tâche %d (%s, client %s) faite le %s par %s\n", "task %d (%s, client %s) done on %s by %s\n"),
				t.ID, taskKind(t.Kind, l), t.Client, fmtDay(t.Done, l), t.DoneBy)
			return nil
		},
	}
	done.Flags().String("note", "", "what was done: the call's outcome, the declaration's tracking number…")
	r.registerAsOf(done)
	cmd.AddCommand(done)
	return cmd
}
