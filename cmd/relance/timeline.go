package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/ledger"
)

func newClientTimelineCmd(a *app, r *recording) *cobra.Command {
	return &cobra.Command{
		Use:   "timeline CLIENT",
		Short: "Show everything that happened to a client, in order, with who and why",
		Long: `client timeline lists, day by day: invoices and credit notes, payments,
what people recorded (disputes, promises, pauses, exclusions, insolvency,
changes to the client) and what the engine did (reminders and registered
letters sent, dropped or failed, promises found kept or broken, bounces,
provisions), each with who did it (cli:<user>, api:<token>, import:<file>,
relance for the engine) and why. French or English after the locale key.`,
		Example: "  relance client timeline C042\n  RELANCE_LOCALE=en relance client timeline C042",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			entries, err := s.store.Timeline(cmd.Context(), args[0], s.cfg.Location())
			if err != nil {
				return err
			}
			return writeTimeline(a.stdout, s, entries)
		},
	}
}

// caseWhy says which case an entry is about and what it adds: the
// procedure, the day a stage happened, the opposition deadline, a cost's
// kind, the outcome.
func caseWhy(e ledger.TimelineEntry, l string, date func(string) string) []string {
	id, _ := e.Detail["case_id"].(float64)
	out := []string{fmt.Sprintf(say(l, "dossier %d", "case %d"), int64(id))}
	for _, key := range []string{"procedure", "cost_kind", "outcome"} {
		if v, ok := e.Detail[key].(string); ok {
			out = append(out, ledger.CaseLabel(v, l))
		}
	}
	if on := date("on"); on != "" && e.Kind != "case_cost" {
		out = append(out, say(l, "le ", "on ")+on)
	}
	if dl := date("opposition_deadline"); dl != "" {
		out = append(out, say(l, "opposition jusqu'au ", "opposition until ")+dl)
	}
	if ref, ok := e.Detail["reference"].(string); ok {
		out = append(out, ref)
	}
	return out
}

func writeTimeline(out io.Writer, s *ledgerSession, entries []ledger.TimelineEntry) error {
	l := s.locale()
	w := table(out)
	fmt.Fprintln(w, say(l, "DATE\tQUOI\tFACTURES\tMONTANT\tQUI\tPOURQUOI", "DATE\tWHAT\tINVOICES\tAMOUNT\tWHO\tWHY"))
	for _, e := range entries {
		what := ledger.TimelineLabel(e.Kind, l)
		if e.Step != "" {
			what += " " + e.Step
		}
		amt := ""
		if e.Amount != 0 {
			amt = fmtAmount(e.Amount, e.Currency, l)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", fmtDay(e.Day, l), what, strings.Join(e.Invoices, ", "), amt, e.Actor, why(s, e))
	}
	return w.Flush()
}

// why is the reason of an entry, with what its detail adds: a dispute's
// label and note, a promise's date, a pause's end.
func why(s *ledgerSession, e ledger.TimelineEntry) string {
	l := s.locale()
	date := func(key string) string {
		v, _ := e.Detail[key].(string)
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return ""
		}
		return fmtDay(t, l)
	}
	note, _ := e.Detail["note"].(string)
	parts := []string{e.Reason}
	switch e.Kind {
	case "dispute_opened", "dispute_lapsed":
		parts = []string{s.cfg.DisputeLabel(e.Reason, l), note}
		if u := date("until"); u != "" {
			parts = append(parts, say(l, "jusqu'au ", "until ")+u)
		}
	case "promise_made":
		parts = append(parts, say(l, "payer au plus tard le ", "to pay by ")+date("pay_by"))
	case "client_paused":
		if u := date("until"); u != "" {
			parts = append(parts, say(l, "jusqu'au ", "until ")+u)
		}
	case "reminder_sent", "letter_sent":
		parts = nil
	case "letter_ready", "letter_handed", "letter_posted", "letter_deposited", "letter_delivered", "letter_refused", "letter_failed":
		parts = append(parts, letterWhy(e.Detail, l)...)
	}
	if strings.HasPrefix(e.Kind, "case_") {
		parts = append(caseWhy(e, l, date), parts...)
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " – ")
}

// letterWhy is what a letter's entry says: its number, its tracking number
// and the provider's reference when known.
func letterWhy(detail map[string]any, l string) []string {
	var out []string
	if id, ok := detail["letter_id"].(float64); ok {
		out = append(out, fmt.Sprintf(say(l, "courrier n° %d", "letter %d"), int64(id)))
	}
	if t, _ := detail["tracking"].(string); t != "" {
		out = append(out, say(l, "suivi ", "tracking ")+t)
	}
	if ref, _ := detail["provider_ref"].(string); ref != "" {
		out = append(out, say(l, "réf. prestataire ", "provider ref. ")+ref)
	}
	return out
}
