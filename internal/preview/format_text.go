package preview

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/provision"
	"github.com/relance/relance/plans"
)

// words are the words of the text preview, per locale. French output names
// steps, channels and dates the French way ("relance 3", "courriel",
// 12/09/2025); English output keeps the plan's step and template names and
// ISO dates.
type words struct {
	weekdays                                  [7]string
	nothing, template, profile, invoices, due string
	days, penalties, indemnity, action, held  string
	provision                                 string // printf: amount, rate, cause
	causes                                    map[string]string
	reasons                                   map[plans.Reason]string
}

var locales = map[string]words{
	"fr": {
		weekdays: [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		nothing:  "rien", profile: "profil", invoices: "facture(s)", due: "échéance",
		days: "j", penalties: "pénalités", indemnity: "indemnité", held: "retenues :",
		provision: "provision proposée de %s (%s, %s)",
		causes:    map[string]string{provision.CauseAge: "ancienneté", provision.CauseInsolvency: "procédure collective"},
		reasons: map[plans.Reason]string{
			plans.Dispute: "litige", plans.Promise: "promesse de paiement", plans.MinAmount: "sous le montant minimum",
			plans.Gap: "écart minimum entre relances", plans.Insolvency: "procédure collective",
			plans.NetBalance: "solde client créditeur", plans.Excluded: "exclue",
			plans.Paused: "client en pause", plans.Waiting: "relance précédente en attente d'envoi",
			NoEmail: "pas d'adresse e-mail", Bouncing: "adresse e-mail en échec",
			NoPostalAddress: "pas d'adresse postale",
			plans.Case:      "contentieux en cours",
		},
	},
	"en": {
		weekdays: [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		nothing:  "nothing", template: "template", profile: "profile", invoices: "invoice(s)", due: "due",
		days: "d", penalties: "penalties", indemnity: "indemnity", action: "action", held: "held back:",
		provision: "provision proposed, %s (%s, %s)",
	},
}

// WriteText prints the report for a terminal in locale (fr or en): words,
// numbers and dates. set names the steps (the plans the preview ran with).
func WriteText(w io.Writer, rep *Report, locale string, set *plans.Set) error {
	wd, ok := locales[locale]
	if !ok {
		locale, wd = "en", locales["en"]
	}
	fr := locale == "fr"
	// Amounts are right-aligned by characters: the French format's spaces
	// and the euro sign take several bytes each.
	amount := func(a money.Amount, currency string) string { return money.Format(a, currency, locale) }
	padded := func(a money.Amount, currency string) string {
		s := amount(a, currency)
		return strings.Repeat(" ", max(0, 14-utf8.RuneCountInString(s))) + s
	}
	date := func(iso string) string {
		if t, err := time.Parse(time.DateOnly, iso); err == nil && fr {
			return t.Format("02/01/2006")
		}
		return iso
	}
	label := func(profile, id string) string {
		if st := step(set, profile, id); st != nil {
			return st.Label(locale)
		}
		return id
	}
	reason := func(r plans.Reason) string {
		if t, ok := wd.reasons[r]; ok {
			return t
		}
		return strings.ReplaceAll(string(r), "_", " ")
	}
	for _, d := range rep.Days {
		t, _ := time.Parse(time.DateOnly, d.Date)
		if fr {
			fmt.Fprintf(w, "%s %s\n", wd.weekdays[t.Weekday()], date(d.Date))
		} else {
			fmt.Fprintf(w, "%s (%s)\n", d.Date, wd.weekdays[t.Weekday()])
		}
		if len(d.Messages)+len(d.Actions)+len(d.Provisions)+len(d.Held) == 0 {
			fmt.Fprintf(w, "  %s\n", wd.nothing)
		}
		for _, m := range d.Messages {
			what := wd.template + " " + m.Template // English: the template the message renders
			if fr {
				what = label(m.Profile, m.StepID) // French: the step it stands for
			}
			fmt.Fprintf(w, "  %s %s — %s, %s (%s %s), %d %s, %s\n", m.ClientCode, m.ClientName,
				plans.ChannelLabel(m.Channel, locale), what, wd.profile, m.Profile,
				len(m.Invoices), wd.invoices, amount(m.Total, m.Currency))
			for _, l := range m.Invoices {
				pen := ""
				if l.Interest != 0 || l.Indemnity != 0 {
					pen = fmt.Sprintf("  %s %s + %s %s", wd.penalties, amount(l.Interest, m.Currency), wd.indemnity, amount(l.Indemnity, m.Currency))
				}
				fmt.Fprintf(w, "      %-14s %s %s %4d %s  %s  %s%s\n", l.Number, wd.due, date(l.DueDate), l.DaysLate, wd.days,
					padded(l.Outstanding, m.Currency), label(m.Profile, l.StepID), pen)
			}
		}
		for _, act := range d.Actions {
			if fr {
				fmt.Fprintf(w, "  %s %s : %s\n", act.ClientCode, act.Number, label(act.Profile, act.StepID))
			} else {
				fmt.Fprintf(w, "  %s %s: %s %s (%s)\n", act.ClientCode, act.Number, wd.action, act.Action, act.StepID)
			}
		}
		for _, p := range d.Provisions {
			cause := p.Cause
			if t, ok := wd.causes[cause]; ok {
				cause = t
			}
			sep := ":"
			if fr {
				sep = " :"
			}
			fmt.Fprintf(w, "  %s %s%s "+wd.provision+"\n", p.ClientCode, p.Number, sep, amount(p.Amount, p.Currency),
				money.FormatRate(p.RateBP, locale), cause)
		}
		if len(d.Held) > 0 {
			fmt.Fprintf(w, "  %s\n", wd.held)
			for _, h := range d.Held {
				fmt.Fprintf(w, "      %s %-14s %s  %s\n", h.ClientCode, h.Number, padded(h.Outstanding, h.Currency), reason(h.Reason))
			}
		}
	}
	return nil
}
