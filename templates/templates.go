// Package templates renders reminder messages: a subject, a plain-text body
// and an HTML body per template name (pre_due, level1 … level4,
// formal_notice) and locale (fr, en), and for a registered letter the body
// its PDF prints.
//
// The templates ship embedded, one directory per locale:
//
//	fr/level1.subject.tmpl   text/template, one line (extra whitespace collapsed)
//	fr/level1.txt.tmpl       text/template, the plain-text body
//	fr/level1.html.tmpl      html/template, the HTML body; it calls {{template "layout" .}}
//	                         and defines "content"
//	fr/formal_notice.letter.tmpl  optional text/template, the body of the
//	                         registered letter (internal/letter lays out the
//	                         parties, the tables of amounts and the payment details)
//	fr/_partials.txt.tmpl    text definitions shared by subjects and text bodies
//	fr/_layout.html.tmpl     the HTML layout and HTML definitions shared by HTML bodies
//
// A directory from configuration (templates.dir) overrides them file by
// file with the same layout: <dir>/fr/level1.txt.tmpl replaces only that
// file. It may also add a template name (all three parts) or a locale (its
// own _partials and _layout, or none if its templates do not use them).
//
// Functions available to every template, formatting per the file's locale:
//
//	money AMOUNT CURRENCY   "1 234,56 €" (fr), "€1,234.56" (en)
//	date TIME               "14/07/2025" (fr), "14 July 2025" (en)
//	longdate TIME           "14 juillet 2025" (fr), "14 July 2025" (en)
//	percent BASISPOINTS     1215 → "12,15 %" (fr), "12.15%" (en)
//	plural N ONE MANY       ONE when N is 1, else MANY
//	neg N                   −N, e.g. days before the due date from DaysLate
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
)

//go:embed */*.tmpl
var embedded embed.FS

// DefaultLocale is the last locale tried when neither the client's nor the
// entity's has the template.
const DefaultLocale = "fr"

// The parts of one template name, by file suffix.
const (
	subjectSuffix = ".subject.tmpl"
	textSuffix    = ".txt.tmpl"
	htmlSuffix    = ".html.tmpl"
	letterSuffix  = ".letter.tmpl"
	partialsFile  = "_partials.txt.tmpl"
	layoutFile    = "_layout.html.tmpl"
)

// ErrNotFound is wrapped by Render when no candidate locale has the template.
var ErrNotFound = errors.New("template not found")

// Rendered is one message ready to send.
type Rendered struct {
	Locale  string // the locale actually used, after fallback
	Subject string // one line
	Text    string // plain-text body
	HTML    string // HTML document
	Letter  string // body of the registered letter; empty when the template has no letter part
}

// Set is every template parsed once, at start. It is safe for concurrent use
// by several goroutines.
type Set struct {
	byKey   map[key]*parsed
	locales []string
	names   []string
}

type key struct{ name, locale string }

type parsed struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
	letter  *texttemplate.Template // nil: no letter part
}

// source is one template file and the path errors show for it.
type source struct {
	shown string // "templates/fr/level1.txt.tmpl" or the override file's path
	body  string
}

// Load parses the embedded templates, each replaced by the file of the same
// relative path under overrideDir when there is one (overrideDir "" means
// none). Every template is then executed once on a sample message, so that a
// misspelled field fails here and not on a customer's reminder.
//
// Errors name the file and line, e.g.
// "/etc/relance/templates/fr/level1.txt.tmpl:3: function "monye" not defined";
// all errors found are joined, not only the first.
func Load(overrideDir string) (*Set, error) {
	files := map[string]source{} // by relative path, e.g. "fr/level1.txt.tmpl"
	err := fs.WalkDir(embedded, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		files[p] = source{shown: "templates/" + p, body: string(b)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading embedded templates: %w", err)
	}
	if overrideDir != "" {
		if err := readOverrides(overrideDir, files); err != nil {
			return nil, err
		}
	}

	// Group files by locale and template name.
	type parts struct{ subject, text, html, letter *source }
	groups := map[key]*parts{}
	shared := map[string]map[string]source{} // locale → shared file name → source
	var errs []error
	for rel, src := range files {
		locale, base, ok := strings.Cut(rel, "/")
		if !ok || strings.Contains(base, "/") {
			errs = append(errs, fmt.Errorf("%s: templates must sit in a locale directory such as fr/", src.shown))
			continue
		}
		if base == partialsFile || base == layoutFile {
			if shared[locale] == nil {
				shared[locale] = map[string]source{}
			}
			shared[locale][base] = src
			continue
		}
		var name string
		var slot func(*parts) **source
		switch {
		case strings.HasSuffix(base, subjectSuffix):
			name, slot = strings.TrimSuffix(base, subjectSuffix), func(p *parts) **source { return &p.subject }
		case strings.HasSuffix(base, textSuffix):
			name, slot = strings.TrimSuffix(base, textSuffix), func(p *parts) **source { return &p.text }
		case strings.HasSuffix(base, htmlSuffix):
			name, slot = strings.TrimSuffix(base, htmlSuffix), func(p *parts) **source { return &p.html }
		case strings.HasSuffix(base, letterSuffix):
			name, slot = strings.TrimSuffix(base, letterSuffix), func(p *parts) **source { return &p.letter }
		default:
			errs = append(errs, fmt.Errorf("%s: unknown template file: want NAME.subject.tmpl, NAME.txt.tmpl, NAME.html.tmpl, NAME.letter.tmpl, %s or %s", src.shown, partialsFile, layoutFile))
			continue
		}
		k := key{name, locale}
		if groups[k] == nil {
			groups[k] = &parts{}
		}
		*slot(groups[k]) = &src
	}

	set := &Set{byKey: map[key]*parsed{}}
	for k, p := range groups {
		var missing []string
		if p.subject == nil {
			missing = append(missing, k.name+subjectSuffix)
		}
		if p.text == nil {
			missing = append(missing, k.name+textSuffix)
		}
		if p.html == nil {
			missing = append(missing, k.name+htmlSuffix)
		}
		if len(missing) > 0 {
			errs = append(errs, fmt.Errorf("template %s/%s: missing %s", k.locale, k.name, strings.Join(missing, ", ")))
			continue
		}
		sh := shared[k.locale]
		pt, err := parse(k.locale, sh, *p.subject, *p.text, *p.html, p.letter)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := pt.trial(k.locale); err != nil {
			errs = append(errs, err)
			continue
		}
		set.byKey[k] = pt
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, errors.Join(errs...)
	}
	for k := range set.byKey {
		if !slices.Contains(set.locales, k.locale) {
			set.locales = append(set.locales, k.locale)
		}
		if !slices.Contains(set.names, k.name) {
			set.names = append(set.names, k.name)
		}
	}
	slices.Sort(set.locales)
	slices.Sort(set.names)
	return set, nil
}

// readOverrides replaces or adds files from dir, which has the embedded
// layout (dir/fr/level1.txt.tmpl). Files not ending in .tmpl are ignored so
// that a README can sit there.
func readOverrides(dir string, files map[string]source) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("template directory: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("template directory %s: not a directory", dir)
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("template directory: %w", err)
		}
		if d.IsDir() || !strings.HasSuffix(p, ".tmpl") {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("template directory: %w", err)
		}
		files[filepath.ToSlash(rel)] = source{shown: p, body: string(b)}
		return nil
	})
}

// parse builds the three templates of one name and locale. Each is named
// after its file's shown path, which text/template puts in every parse and
// execution error ("template: PATH:LINE: …").
func parse(locale string, shared map[string]source, subject, text, html source, letter *source) (*parsed, error) {
	funcs := funcsFor(locale)
	textBase := texttemplate.New("").Funcs(funcs)
	if p, ok := shared[partialsFile]; ok {
		if _, err := textBase.New(p.shown).Parse(p.body); err != nil {
			return nil, cleanError(err)
		}
	}
	htmlBase := htmltemplate.New("").Funcs(funcs)
	if l, ok := shared[layoutFile]; ok {
		if _, err := htmlBase.New(l.shown).Parse(l.body); err != nil {
			return nil, cleanError(err)
		}
	}
	var out parsed
	type part struct {
		src  source
		dest **texttemplate.Template
	}
	texts := []part{{subject, &out.subject}, {text, &out.text}}
	if letter != nil {
		texts = append(texts, part{*letter, &out.letter})
	}
	for _, t := range texts {
		clone, err := textBase.Clone()
		if err != nil {
			return nil, err
		}
		if *t.dest, err = clone.New(t.src.shown).Parse(t.src.body); err != nil {
			return nil, cleanError(err)
		}
	}
	clone, err := htmlBase.Clone()
	if err != nil {
		return nil, err
	}
	if out.html, err = clone.New(html.shown).Parse(html.body); err != nil {
		return nil, cleanError(err)
	}
	return &out, nil
}

// cleanError drops text/template's "template: " prefix so that the message
// starts with file:line, like every other input error in relance.
func cleanError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "template: ")
	return fmt.Errorf("%s", msg)
}

func (p *parsed) render(locale string, data Message) (Rendered, error) {
	var subject, text, html bytes.Buffer
	if err := p.subject.Execute(&subject, data); err != nil {
		return Rendered{}, cleanError(err)
	}
	if err := p.text.Execute(&text, data); err != nil {
		return Rendered{}, cleanError(err)
	}
	if err := p.html.Execute(&html, data); err != nil {
		return Rendered{}, cleanError(err)
	}
	r := Rendered{
		Locale:  locale,
		Subject: strings.Join(strings.Fields(subject.String()), " "),
		Text:    strings.TrimSpace(text.String()) + "\n",
		HTML:    strings.TrimSpace(html.String()) + "\n",
	}
	if p.letter != nil {
		var letter bytes.Buffer
		if err := p.letter.Execute(&letter, data); err != nil {
			return Rendered{}, cleanError(err)
		}
		r.Letter = strings.TrimSpace(letter.String()) + "\n"
	}
	return r, nil
}

// Has reports whether the template name exists in exactly this locale.
func (s *Set) Has(name, locale string) bool {
	_, ok := s.byKey[key{name, locale}]
	return ok
}

// Locales returns the locales that have at least one template, sorted.
func (s *Set) Locales() []string { return slices.Clone(s.locales) }

// Names returns the template names that exist in at least one locale, sorted.
func (s *Set) Names() []string { return slices.Clone(s.names) }

// Locale returns the locale Render uses for name and data: the client's
// locale, else the entity's, else DefaultLocale, the first that has the
// template. A regional variant falls back to its language ("fr-BE" → "fr").
// It returns "" when none has it.
func (s *Set) Locale(name string, data Message) string {
	for _, l := range []string{data.Client.Locale, data.Entity.Locale, DefaultLocale} {
		l = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(l), "_", "-"))
		if l == "" {
			continue
		}
		if s.Has(name, l) {
			return l
		}
		if lang, _, ok := strings.Cut(l, "-"); ok && s.Has(name, lang) {
			return lang
		}
	}
	return ""
}

// Render executes template name in the locale chosen by Locale. It fails,
// wrapping ErrNotFound, when no candidate locale has the template, and with
// file:line when the execution fails (which the sample run of Load makes
// unlikely).
func (s *Set) Render(name string, data Message) (Rendered, error) {
	locale := s.Locale(name, data)
	if locale == "" {
		return Rendered{}, fmt.Errorf("%w: %q for client locale %q, entity locale %q or %q",
			ErrNotFound, name, data.Client.Locale, data.Entity.Locale, DefaultLocale)
	}
	return s.byKey[key{name, locale}].render(locale, data)
}

var frMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// funcsFor returns the template functions formatting for locale. They are
// bound at parse time: a template file belongs to one locale directory.
func funcsFor(locale string) map[string]any {
	fr := strings.HasPrefix(locale, "fr")
	return map[string]any{
		"money": func(a money.Amount, currency string) string { return money.Format(a, currency, locale) },
		"date": func(t time.Time) string {
			if fr {
				return t.Format("02/01/2006")
			}
			return t.Format("2 January 2006")
		},
		"longdate": func(t time.Time) string {
			if fr {
				day := fmt.Sprint(t.Day())
				if t.Day() == 1 {
					day = "1er"
				}
				return fmt.Sprintf("%s %s %d", day, frMonths[t.Month()-1], t.Year())
			}
			return t.Format("2 January 2006")
		},
		"percent": func(bp int) string { return money.FormatRate(bp, locale) },
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return one
			}
			return many
		},
		"neg": func(n int) int { return -n },
	}
}

// trial executes the templates on two sample messages, one with every
// field and option set, one minimal, so that both sides of the usual
// conditionals run.
func (p *parsed) trial(locale string) error {
	full := sampleMessage()
	full.Client.Locale = locale
	if _, err := p.render(locale, full); err != nil {
		return err
	}
	// Rates that differ within a half-year (UK rates fixed per debt): no
	// rate spans.
	perDebt := sampleMessage()
	perDebt.Client.Locale = locale
	perDebt.Invoices[1].Periods = []penalty.Period{{From: perDebt.Invoices[1].Periods[0].From, To: perDebt.Day, Days: 31,
		Principal: 50000, RateBP: 1175, Interest: 500}}
	if _, err := p.render(locale, perDebt); err != nil {
		return err
	}
	minimal := full
	minimal.Invoices = minimal.Invoices[1:2]
	minimal.Invoices[0].PaymentLink = ""
	minimal.Invoices[0].Interest, minimal.Invoices[0].Indemnity, minimal.Invoices[0].Periods = 0, 0, nil
	minimal.Totals = TotalsOf(minimal.Invoices)
	minimal.Penalties = false
	minimal.Oversight = false
	minimal.Entity = Entity{}
	minimal.Creditor, minimal.Debtor = Party{Name: "Sample"}, Party{Name: "Client"}
	_, err := p.render(locale, minimal)
	return err
}

// sampleMessage is what Load executes every template on: invoices with every
// field set (one late across two half-years, one late, one not yet due), so
// that a reference to a missing field fails at start.
func sampleMessage() Message {
	day := time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC)
	date := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }
	invs := []Invoice{
		{Number: "F1", IssueDate: date(5, 12), DueDate: date(6, 12), DaysLate: 92,
			Currency: "EUR", Amount: 100000, Outstanding: 100000, Interest: 311, Indemnity: 4000, PaymentLink: "https://pay.example/F1",
			Periods: []penalty.Period{
				{From: date(6, 13), To: date(6, 30), Days: 18, Principal: 100000, RateBP: 1315, Interest: 65},
				{From: date(7, 1), To: day, Days: 74, Principal: 100000, RateBP: 1215, Interest: 246}}},
		{Number: "F2", IssueDate: date(7, 12), DueDate: date(8, 12), DaysLate: 31,
			Currency: "EUR", Amount: 50000, Outstanding: 20000, Interest: 52, Indemnity: 4000,
			Periods: []penalty.Period{{From: date(8, 13), To: day, Days: 31, Principal: 50000, RateBP: 1215, Interest: 52}}},
		{Number: "F3", IssueDate: date(8, 17), DueDate: date(9, 17), DaysLate: -5, Currency: "EUR", Amount: 30000, Outstanding: 30000},
	}
	return Message{
		Creditor:    Party{Name: "Sample", Address: []string{"1 rue A", "75001 Paris"}, SIREN: "123 456 789", VAT: "FR00123456789"},
		Debtor:      Party{Name: "Client", Address: []string{"2 rue B", "69001 Lyon"}, SIREN: "987 654 321", VAT: "FR00987654321"},
		Entity:      Entity{Locale: "fr", Contact: "Compta", Email: "compta@example.fr", Phone: "01", IBAN: "FR76", BIC: "BIC"},
		Client:      Client{Code: "C1", Locale: "fr"},
		Day:         day,
		Step:        Step{ID: "level3", Level: 3, Template: "level3"},
		Invoices:    invs,
		Totals:      TotalsOf(invs),
		PenaltyRate: 1215,
		Penalties:   true,
		Deadline:    day.AddDate(0, 0, 8),
		Oversight:   true,
	}
}
