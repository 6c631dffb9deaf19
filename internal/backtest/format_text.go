package backtest

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/relance/relance/internal/money"
)

// words are the report's words per locale.
type words struct {
	title, oldPlan, newPlan, history                   string
	sent, month, level, total, period, emails, letters string
	change, oldSide, newSide, nothing                  string
	delay, invoices, mean, median                      string
	clients, client, name, outstanding, sends, top     string
	firstDiff, more, none, preDue, levelN              string
	months                                             [12]string
	decimal, join                                      string
	date                                               string // time layout
}

var locales = map[string]words{
	"fr": {
		title:   "Comparaison de plans — entité %s, du %s au %s (%d jours)",
		oldPlan: "ancien plan  : %s", newPlan: "nouveau plan : %s",
		history: "historique   : les relances décidées avant le %s, telles qu'elles étaient ce matin-là",
		sent:    "Envois par mois et par niveau (courriels et lettres recommandées)",
		month:   "Mois", level: "Niveau", total: "total", period: "toute la période", emails: "Courriels", letters: "Lettres",
		change: "Écart", oldSide: "(ancien)", newSide: "(nouveau)", nothing: "aucun envoi",
		delay:    "Délai de première relance (jours entre l'échéance et la relance 1)",
		invoices: "Factures", mean: "Moyenne", median: "Médiane",
		clients: "Clients relancés différemment : %d sur %d relancés par l'un ou l'autre plan",
		client:  "Client", name: "Nom", outstanding: "Encours au %s", sends: "Envois", top: "Jusqu'à",
		firstDiff: "Premier écart", more: "… et %d de plus (--top 0 ou --format json pour tous)", none: "—",
		preDue: "pré-relance", levelN: "relance %d",
		months: [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
			"octobre", "novembre", "décembre"},
		decimal: ",", join: " ; ", date: "02/01/2006",
	},
	"en": {
		title:   "Plan comparison — entity %s, %s to %s (%d days)",
		oldPlan: "old plan: %s", newPlan: "new plan: %s",
		history: "history:  the reminders decided before %s, as they stood that morning",
		sent:    "Sent per month and level (emails and registered letters)",
		month:   "Month", level: "Level", total: "total", period: "whole period", emails: "Emails", letters: "Letters",
		change: "Change", oldSide: "(old)", newSide: "(new)", nothing: "nothing sent",
		delay:    "First-contact delay (days from the due date to level 1)",
		invoices: "Invoices", mean: "Mean", median: "Median",
		clients: "Clients reminded differently: %d of %d reminded by either plan",
		client:  "Client", name: "Name", outstanding: "Outstanding on %s", sends: "Sent", top: "Up to",
		firstDiff: "First difference", more: "… and %d more (--top 0 or --format json for all)", none: "—",
		preDue: "pre-due", levelN: "level %d",
		months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September",
			"October", "November", "December"},
		decimal: ".", join: "; ", date: time.DateOnly,
	},
}

// WriteText prints the report for a terminal in locale (fr or en) as
// aligned tables: sent per month and level, the first-contact delay per
// month, and the clients reminded differently, the top largest first (0:
// all).
func WriteText(w io.Writer, rep *Report, locale string, top int) error {
	wd, ok := locales[locale]
	if !ok {
		locale, wd = "en", locales["en"]
	}
	f := formatter{wd: wd, locale: locale}
	fmt.Fprintf(w, wd.title+"\n", rep.Entity, f.date(rep.From), f.date(rep.To), rep.Days)
	fmt.Fprintf(w, "  "+wd.oldPlan+"\n", rep.Old.Plan)
	fmt.Fprintf(w, "  "+wd.newPlan+"\n", rep.New.Plan)
	fmt.Fprintf(w, "  "+wd.history+"\n\n", f.date(rep.From))
	if err := f.sentTable(w, rep); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := f.delayTable(w, rep); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return f.clientTable(w, rep, top)
}

type formatter struct {
	wd     words
	locale string
}

func (f formatter) date(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return t.Format(f.wd.date)
}

// monthName is "septembre 2025", "September 2025"; the whole period is
// "toute la période", "whole period".
func (f formatter) monthName(key string) string {
	t, err := time.Parse("2006-01", key)
	if err != nil {
		return f.wd.period
	}
	return f.wd.months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

func (f formatter) levelName(level int) string {
	if level == 0 {
		return f.wd.preDue
	}
	return fmt.Sprintf(f.wd.levelN, level)
}

// columns is a table whose first n columns are text (left-aligned) and the
// rest numbers (right-aligned): tabwriter aligns every column right, so
// the text columns are padded to their width first. Its padding indents
// the table by two spaces.
type columns struct {
	text int
	rows [][]string
}

func (c *columns) add(cells ...string) { c.rows = append(c.rows, cells) }

func (c *columns) write(w io.Writer) error {
	widths := make([]int, c.text)
	for _, r := range c.rows {
		for i := range c.text {
			widths[i] = max(widths[i], utf8.RuneCountInString(r[i]))
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, r := range c.rows {
		cells := make([]string, len(r))
		for i, s := range r {
			if i < c.text {
				s += strings.Repeat(" ", widths[i]-utf8.RuneCountInString(s))
			}
			cells[i] = s
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}

func (f formatter) sentTable(w io.Writer, rep *Report) error {
	wd := f.wd
	fmt.Fprintln(w, wd.sent)
	t := &columns{text: 2}
	t.add(wd.month, wd.level, wd.emails+" "+wd.oldSide, wd.emails+" "+wd.newSide, wd.change,
		wd.letters+" "+wd.oldSide, wd.letters+" "+wd.newSide, wd.change)
	block := func(m Month) {
		name := f.monthName(m.Month)
		if len(m.Levels) == 0 {
			t.add(name, wd.nothing, "", "", "", "", "", "")
			return
		}
		var sum Pair[Counts]
		for _, lv := range m.Levels {
			c := lv.Count
			t.add(name, f.levelName(lv.Level), strconv.Itoa(c.Old.Messages), strconv.Itoa(c.New.Messages),
				change(c.Old.Messages, c.New.Messages), strconv.Itoa(c.Old.Letters), strconv.Itoa(c.New.Letters),
				change(c.Old.Letters, c.New.Letters))
			name = ""
			sum.Old.Messages, sum.New.Messages = sum.Old.Messages+c.Old.Messages, sum.New.Messages+c.New.Messages
			sum.Old.Letters, sum.New.Letters = sum.Old.Letters+c.Old.Letters, sum.New.Letters+c.New.Letters
		}
		t.add("", wd.total, strconv.Itoa(sum.Old.Messages), strconv.Itoa(sum.New.Messages),
			change(sum.Old.Messages, sum.New.Messages), strconv.Itoa(sum.Old.Letters), strconv.Itoa(sum.New.Letters),
			change(sum.Old.Letters, sum.New.Letters))
	}
	for _, m := range rep.Months {
		block(m)
	}
	if len(rep.Months) > 1 {
		block(rep.Total)
	}
	return t.write(w)
}

// change is new − old with its sign: "+3", "-2", "0".
func change(old, new int) string {
	if d := new - old; d > 0 {
		return "+" + strconv.Itoa(d)
	}
	return strconv.Itoa(new - old)
}

func (f formatter) delayTable(w io.Writer, rep *Report) error {
	wd := f.wd
	fmt.Fprintln(w, wd.delay)
	t := &columns{text: 1}
	t.add(wd.month, wd.invoices+" "+wd.oldSide, wd.mean+" "+wd.oldSide, wd.median+" "+wd.oldSide,
		wd.invoices+" "+wd.newSide, wd.mean+" "+wd.newSide, wd.median+" "+wd.newSide)
	row := func(m Month) {
		cells := []string{f.monthName(m.Month)}
		for _, d := range []Delay{m.FirstContact.Old, m.FirstContact.New} {
			if d.Invoices == 0 {
				cells = append(cells, "0", wd.none, wd.none)
				continue
			}
			cells = append(cells, strconv.Itoa(d.Invoices), f.days(d.Mean), f.days(d.Median))
		}
		t.add(cells...)
	}
	for _, m := range rep.Months {
		row(m)
	}
	if len(rep.Months) > 1 {
		row(rep.Total)
	}
	return t.write(w)
}

// days writes a number of days with one decimal in the locale's way.
func (f formatter) days(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", f.wd.decimal, 1)
}

func (f formatter) clientTable(w io.Writer, rep *Report, top int) error {
	wd := f.wd
	fmt.Fprintf(w, wd.clients+"\n", len(rep.Clients), rep.Reminded)
	if len(rep.Clients) == 0 {
		return nil
	}
	shown := rep.Clients
	if top > 0 && len(shown) > top {
		shown = shown[:top]
	}
	t := &columns{text: 2}
	t.add(wd.client, wd.name, fmt.Sprintf(wd.outstanding, f.date(rep.To)), wd.sends+" "+wd.oldSide, wd.top+" "+wd.oldSide,
		wd.sends+" "+wd.newSide, wd.top+" "+wd.newSide, wd.firstDiff)
	for _, c := range shown {
		var amounts []string
		for _, b := range c.Outstanding {
			amounts = append(amounts, money.Format(b.Amount, b.Currency, f.locale))
		}
		if len(amounts) == 0 {
			amounts = append(amounts, wd.none)
		}
		cells := []string{c.Code, c.Name, strings.Join(amounts, wd.join)}
		for _, r := range []Reached{c.Plans.Old, c.Plans.New} {
			level := wd.none
			if r.TopLevel != nil {
				level = f.levelName(*r.TopLevel)
			}
			cells = append(cells, strconv.Itoa(r.Messages+r.Letters), level)
		}
		t.add(append(cells, f.date(c.FirstDifference))...)
	}
	if err := t.write(w); err != nil {
		return err
	}
	if n := len(rep.Clients) - len(shown); n > 0 {
		fmt.Fprintf(w, "  "+wd.more+"\n", n)
	}
	return nil
}
