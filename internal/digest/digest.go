package digest

import (
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/watch"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// Amount is a sum in one currency.
type Amount struct {
	Currency string
	Amount   money.Amount
}

// Figures are an entity's figures over the digest's period.
type Figures struct {
	From, To time.Time   // the days covered, inclusive
	Sent     map[int]int // messages sent, by level (0: pre-due notice)
	Letters  int         // registered letters (formal notices) handed to their channel
	Disputes int         // disputes opened
	// LettersWaiting are the letters still in the outbox for a person to
	// post (relance letter list --unposted), whatever their day.
	LettersWaiting int
	// Collected is what was received (payments, and the `paid`
	// settlements of imports), by currency.
	Collected []Amount
	// Today are the messages the day's sweep decided, by level, and its
	// letters.
	Today        map[int]int
	TodayLetters int
}

// Digest is one entity's digest of one day.
type Digest struct {
	Entity     string // its code
	EntityName string
	Locale     string // fr or en
	Day        time.Time
	Alerts     []watch.Alert
	Figures    Figures
}

// Rendered is a digest ready to send.
type Rendered struct {
	Subject string
	Text    string
}

// view is what the templates read: everything already in words and in the
// locale's number and date formats.
type view struct {
	Entity, EntityName, Day, From, To string
	Since                             string // From, as `relance alerts --since` takes it
	SamePeriodDay                     bool
	Groups                            []group
	Alerts                            int
	Sent                              []count
	SentTotal                         int
	Letters, LettersWaiting, Disputes int
	Collected                         []string
	Today                             []count
	TodayTotal, TodayLetters          int
}

type group struct {
	Title string
	Lines []string
}

type count struct {
	Level string
	N     int
}

// Render writes d in its locale; an unknown locale is written in English.
func Render(d Digest) (Rendered, error) {
	locale := d.Locale
	if locale != "fr" {
		locale = "en"
	}
	t, err := template.ParseFS(templateFS, "templates/"+locale+".txt.tmpl")
	if err != nil {
		return Rendered{}, fmt.Errorf("digest: %w", err)
	}
	v := viewOf(d, locale)
	var subject, text bytes.Buffer
	if err := t.ExecuteTemplate(&subject, "subject", v); err != nil {
		return Rendered{}, fmt.Errorf("digest: subject: %w", err)
	}
	if err := t.ExecuteTemplate(&text, "text", v); err != nil {
		return Rendered{}, fmt.Errorf("digest: text: %w", err)
	}
	return Rendered{Subject: strings.TrimSpace(subject.String()), Text: text.String()}, nil
}

func viewOf(d Digest, locale string) view {
	date := func(t time.Time) string {
		if locale == "fr" {
			return t.Format("02/01/2006")
		}
		return t.Format("2006-01-02")
	}
	f := d.Figures
	v := view{Entity: d.Entity, EntityName: d.EntityName, Day: date(d.Day), From: date(f.From), To: date(f.To),
		Since: f.From.Format(time.DateOnly), SamePeriodDay: f.From.Equal(f.To), Alerts: len(d.Alerts), Letters: f.Letters, Disputes: f.Disputes,
		LettersWaiting: f.LettersWaiting, TodayLetters: f.TodayLetters}
	byKind := map[string][]string{}
	for _, a := range d.Alerts {
		byKind[a.Kind] = append(byKind[a.Kind], a.Summary(locale))
	}
	for _, k := range watch.Kinds {
		if lines := byKind[k]; len(lines) > 0 {
			v.Groups = append(v.Groups, group{Title: watch.Title(k, locale), Lines: lines})
		}
	}
	v.Sent, v.SentTotal = counts(f.Sent, locale)
	v.Today, v.TodayTotal = counts(f.Today, locale)
	for _, c := range f.Collected {
		v.Collected = append(v.Collected, money.Format(c.Amount, c.Currency, locale))
	}
	return v
}

// counts lists n by level in level order, with its total.
func counts(byLevel map[int]int, locale string) ([]count, int) {
	levels := make([]int, 0, len(byLevel))
	for l := range byLevel {
		levels = append(levels, l)
	}
	sort.Ints(levels)
	var out []count
	total := 0
	for _, l := range levels {
		name := fmt.Sprintf("level %d", l)
		switch {
		case l == 0 && locale == "fr":
			name = "pré-relance"
		case l == 0:
			name = "pre-due notice"
		case locale == "fr":
			name = fmt.Sprintf("niveau %d", l)
		}
		out = append(out, count{Level: name, N: byLevel[l]})
		total += byLevel[l]
	}
	return out, total
}
