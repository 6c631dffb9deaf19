package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/preview"
	"github.com/relance/relance/plans"
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
The first line says how old the entity's invoice and payment data are (the
as-of of the newest import of each), and whether sends would wait for fresh
payments (sweep.max_data_age).

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
			// The preview states one rule set: the configured one, else the
			// French default, that of a client without a country (the
			// sweep's send worker picks per client's country).
			rules, err := a.penaltyRules(cfg)
			if err != nil {
				return err
			}
			calc := rules.For("")
			if entity == "" {
				entity = cfg.Entity
			}
			db, err := a.openDB(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := checkEntity(cmd.Context(), db, entity); err != nil {
				return err
			}
			rep, err := preview.Run(cmd.Context(), db, preview.Options{Entity: entity, From: day, Days: days, Plans: set, Penalties: calc})
			if err != nil {
				return err
			}
			fresh, err := ledger.New(db, ledger.Options{Entity: entity}).Freshness(cmd.Context(), false)
			if err != nil {
				return err
			}
			age := a.stdout
			if format == "json" {
				age = a.stderr // the JSON on stdout stays the report alone
			}
			writeDataAge(age, fresh, entity, freshnessPolicy(cfg), a.clock.Now(), cfg.Locale, cfg.Location())
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			writePreview(a.stdout, rep, cfg.Locale)
			return nil
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "first day previewed, YYYY-MM-DD (default: today in the configured time zone)")
	cmd.Flags().IntVar(&days, "days", 1, "number of days to preview")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&entity, "entity", "", "entity code (default: the configured entity)")
	return cmd
}

// previewWords are the words of the text preview, per locale.
type previewWords struct {
	weekdays                                  [7]string
	nothing, template, profile, invoices, due string
	days, penalties, indemnity, action, held  string
	reasons                                   map[plans.Reason]string
}

var previewLocales = map[string]previewWords{
	"fr": {
		weekdays: [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		nothing:  "rien", template: "modèle", profile: "profil", invoices: "facture(s)", due: "échéance",
		days: "j", penalties: "pénalités", indemnity: "indemnité", action: "action", held: "retenues :",
		reasons: map[plans.Reason]string{
			plans.Dispute: "litige", plans.Promise: "promesse de paiement", plans.MinAmount: "sous le montant minimum",
			plans.Gap: "écart minimum entre relances", plans.Insolvency: "procédure collective",
			plans.NetBalance: "solde client créditeur", plans.Excluded: "exclue",
		},
	},
	"en": {
		weekdays: [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		nothing:  "nothing", template: "template", profile: "profile", invoices: "invoice(s)", due: "due",
		days: "d", penalties: "penalties", indemnity: "indemnity", action: "action", held: "held back:",
	},
}

// writePreview prints the report for a terminal, in the words and number
// format of locale (fr or en).
func writePreview(w io.Writer, rep *preview.Report, locale string) {
	words, ok := previewLocales[locale]
	if !ok {
		words = previewLocales["en"]
	}
	// Amounts are right-aligned by characters: the French format's spaces
	// and the euro sign take several bytes each.
	amount := func(a money.Amount, currency string) string { return money.Format(a, currency, locale) }
	padded := func(a money.Amount, currency string) string {
		s := amount(a, currency)
		return strings.Repeat(" ", max(0, 14-utf8.RuneCountInString(s))) + s
	}
	reason := func(r plans.Reason) string {
		if t, ok := words.reasons[r]; ok {
			return t
		}
		return strings.ReplaceAll(string(r), "_", " ")
	}
	for _, d := range rep.Days {
		t, _ := time.Parse(time.DateOnly, d.Date)
		fmt.Fprintf(w, "%s (%s)\n", d.Date, words.weekdays[t.Weekday()])
		if len(d.Messages)+len(d.Actions)+len(d.Held) == 0 {
			fmt.Fprintf(w, "  %s\n", words.nothing)
		}
		for _, m := range d.Messages {
			fmt.Fprintf(w, "  %s %s — %s, %s %s (%s %s), %d %s, %s\n",
				m.ClientCode, m.ClientName, m.Channel, words.template, m.Template, words.profile, m.Profile,
				len(m.Invoices), words.invoices, amount(m.Total, m.Currency))
			for _, l := range m.Invoices {
				pen := ""
				if l.Interest != 0 || l.Indemnity != 0 {
					pen = fmt.Sprintf("  %s %s + %s %s", words.penalties, amount(l.Interest, m.Currency), words.indemnity, amount(l.Indemnity, m.Currency))
				}
				fmt.Fprintf(w, "      %-14s %s %s %4d %s  %s  %s%s\n", l.Number, words.due, l.DueDate, l.DaysLate, words.days,
					padded(l.Outstanding, m.Currency), l.StepID, pen)
			}
		}
		for _, act := range d.Actions {
			fmt.Fprintf(w, "  %s %s: %s %s (%s)\n", act.ClientCode, act.Number, words.action, act.Action, act.StepID)
		}
		if len(d.Held) > 0 {
			fmt.Fprintf(w, "  %s\n", words.held)
			for _, h := range d.Held {
				fmt.Fprintf(w, "      %s %-14s %s  %s\n", h.ClientCode, h.Number, padded(h.Outstanding, h.Currency), reason(h.Reason))
			}
		}
	}
}
