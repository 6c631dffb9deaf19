package dashboard

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/web"
)

// page is what every page shows around its content: the navigation, who is
// signed in, the as-of date and how old the data is, and the words and
// number formats of its locale (its methods, called from the templates).
type page struct {
	Title     string
	Nav       string // the active tab
	Locale    string
	AsOf      time.Time
	Entity    string // "" for every entity
	Who       web.Principal
	CanWrite  bool
	CSRF      string
	Data      []dataAge
	LangURL   string // this page in the other language
	Flash     string
	Error     string
	loc       *time.Location
	requestQS url.Values
}

// dataAge is the newest data of one kind of one entity.
type dataAge struct {
	Entity, Kind string
	AsOf         time.Time
	Age          time.Duration
	Never        bool
	Stale        bool
}

// newPage gathers what every page shows. entity "" is every entity.
func (d *dashboard) newPage(ctx context.Context, w http.ResponseWriter, r *http.Request, nav, entity string, asOf time.Time) (page, error) {
	p := page{Nav: nav, AsOf: asOf, Entity: entity, loc: d.opts.Location, requestQS: r.URL.Query()}
	p.Who, _ = web.PrincipalFrom(ctx)
	p.CanWrite = p.Who.Role.Level() >= web.LevelWrite
	p.CSRF = d.opts.CSRFToken(r)
	code := entity
	if code == "" {
		code = d.opts.Ledger.Entity
	}
	store := d.store(code)
	e, err := store.Entity(ctx, code)
	if err != nil {
		return p, err
	}
	p.Locale = d.locale(w, r, e.Locale)
	fresh, err := store.Freshness(ctx, entity == "")
	if err != nil {
		return p, err
	}
	p.Data = d.dataAges(fresh, code, entity == "")
	q := r.URL.Query()
	q.Set("lang", map[string]string{"fr": "en", "en": "fr"}[p.Locale])
	p.LangURL = r.URL.Path + "?" + q.Encode()
	return p, nil
}

// dataAges lists, per entity, the age of its invoice and payment data;
// a kind never imported is said so for the page's own entity.
func (d *dashboard) dataAges(fresh []ledger.Freshness, entity string, all bool) []dataAge {
	now := d.opts.Clock.Now()
	var out []dataAge
	seen := map[string]bool{}
	for _, f := range fresh {
		age := now.Sub(f.AsOf)
		limit := d.opts.Freshness.For(f.Entity)
		out = append(out, dataAge{Entity: f.Entity, Kind: f.Kind, AsOf: f.AsOf, Age: age,
			Stale: f.Kind == ledger.DataPayments && limit > 0 && age > limit})
		seen[f.Entity+"/"+f.Kind] = true
	}
	if !all {
		for _, k := range []string{ledger.DataInvoices, ledger.DataPayments} {
			if !seen[entity+"/"+k] {
				out = append(out, dataAge{Entity: entity, Kind: k, Never: true})
			}
		}
	}
	return out
}

// store is a ledger store for entity.
func (d *dashboard) store(entity string) *ledger.Store {
	o := d.opts.Ledger
	if entity != "" {
		o.Entity = entity
	}
	return ledger.New(d.opts.DB, o)
}

// today is the business day now.
func (d *dashboard) today() time.Time { return clock.Today(d.opts.Clock, d.opts.Location) }

// day is the request's ?as_of=, or today.
func (d *dashboard) day(r *http.Request) (time.Time, error) {
	t, err := clock.AsOf(r.URL.Query().Get("as_of"), d.opts.Clock, d.opts.Location)
	if err != nil {
		return t, badRequest("as_of: %v", err)
	}
	return t, nil
}

// entityParam is the request's ?entity=: "all" is every entity (""),
// none is the default one.
func (d *dashboard) entityParam(r *http.Request) string {
	switch e := r.URL.Query().Get("entity"); e {
	case "":
		return d.opts.Ledger.Entity
	case "all":
		return ""
	default:
		return e
	}
}

// The template helpers: words and formats in the page's locale.

func (p page) T(key string) string                     { return say(p.Locale, key) }
func (p page) Money(a money.Amount, cur string) string { return formatMoney(a, cur, p.Locale) }
func (p page) Date(t time.Time) string                 { return formatDate(t, p.Locale) }
func (p page) Time(t time.Time) string                 { return formatTime(t, p.loc, p.Locale) }
func (p page) Age(d time.Duration) string              { return formatAge(d, p.Locale) }
func (p page) Rate(r aging.Rate) string                { return formatRate(r, p.Locale) }
func (p page) Count(n int) string                      { return money.FormatCount(n, p.Locale) }
func (p page) Days(v float64) string                   { return formatDays(v, p.Locale) }
func (p page) Bucket(b aging.Bucket) string            { return b.Label(p.Locale) }
func (p page) Say(fr, en string) string {
	return map[bool]string{true: fr, false: en}[p.Locale == "fr"]
}
func (p page) Svg(s string) template.HTML { return template.HTML(s) } // drawn by chart.go, every text escaped there
func (p page) Colon() string              { return p.Say("\u00a0: ", ": ") }
func (p page) Weekday(t time.Time) string {
	if p.Locale == "fr" {
		return [...]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."}[t.Weekday()]
	}
	return t.Format("Mon")
}
func (p page) Negative(a money.Amount) bool                { return a < 0 }
func (p page) EntityCode() string                          { return or(p.Entity, "all") }
func (p page) With(key, value string) template.URL         { return p.link("", key, value) }
func (p page) LinkTo(path, key, value string) template.URL { return p.link(path, key, value) }

// link is the current query with key set to value (removed when empty),
// on path ("" keeps the aging page's).
func (p page) link(path, key, value string) template.URL {
	q := url.Values{}
	for k, v := range p.requestQS {
		q[k] = append([]string(nil), v...)
	}
	q.Del("lang")
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	if key != "page" {
		q.Del("page")
	}
	if path == "" {
		path = "/aging"
	}
	if len(q) == 0 {
		return template.URL(path)
	}
	return template.URL(path + "?" + q.Encode())
}

func or(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// funcs are the template functions that need no locale.
var funcs = template.FuncMap{
	"add":   func(a, b int) int { return a + b },
	"lower": strings.ToLower,
}

func urlPath(s string) string  { return url.PathEscape(s) }
func urlQuery(s string) string { return url.QueryEscape(s) }

func itoa(n int) string { return strconv.Itoa(n) }

// entityChoice is the entities a page's filter offers.
type entityChoice struct {
	Entities []ledger.Entity
}

// HoldsEntities tells whether the entity with code is the parent of
// another: the page then offers its figures with its subsidiaries.
func (c entityChoice) HoldsEntities(code string) bool {
	return code != "" && slices.ContainsFunc(c.Entities, func(e ledger.Entity) bool { return e.Parent == code })
}

// Channel names a channel (email, registered_letter) in the page's
// language; a channel it does not know is shown as the code.
func (p page) Channel(c string) string {
	if w, ok := channelWords[c]; ok {
		return p.Say(w[0], w[1])
	}
	return c
}

// channelWords name the channels: code → {fr, en}.
var channelWords = map[string][2]string{
	"email":             {"e-mail", "email"},
	"registered_letter": {"lettre recommandée", "registered letter"},
}
