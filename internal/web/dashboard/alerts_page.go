package dashboard

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/relance/relance/internal/watch"
)

// alertsSince is how far back the alerts page looks by default.
const alertsSince = 90

// alertsView is the page's data.
type alertsView struct {
	page
	Alerts   []watch.Alert // newest first
	Kinds    []string      // every kind, for the filter
	Kind     string        // the one shown; "" for all
	SinceISO string
}

// alertsPage lists what internal/watch raised for the entity and the
// engine, newest first: credit limits crossed, bounces, broken promises,
// disputes open too long, claim deadlines, failed jobs, a missed sweep,
// stale data, a paused send queue…
func (d *dashboard) alertsPage(w http.ResponseWriter, r *http.Request) error {
	ctx, q := r.Context(), r.URL.Query()
	entity := d.entityParam(r)
	today := d.today()
	p, err := d.newPage(ctx, w, r, "alerts", entity, today)
	if err != nil {
		return err
	}
	p.Title = p.T("nav.alerts")
	v := alertsView{page: p, Kinds: watch.Kinds, SinceISO: today.AddDate(0, 0, -alertsSince).Format(time.DateOnly)}
	f := watch.Filter{Entity: entity}
	if s := q.Get("since"); s != "" {
		v.SinceISO = s
	}
	if f.Since, err = time.ParseInLocation(time.DateOnly, v.SinceISO, d.opts.Location); err != nil {
		return badRequest("since %q: want YYYY-MM-DD", v.SinceISO)
	}
	if k := q.Get("kind"); k != "" {
		full, ok := watch.IsKind(k)
		if !ok {
			return badRequest("kind %q: want one of %s", k, strings.Join(watch.Kinds, ", "))
		}
		v.Kind, f.Kinds = full, []string{full}
	}
	if v.Alerts, err = watch.List(ctx, d.opts.DB, f); err != nil {
		return err
	}
	slices.Reverse(v.Alerts)
	return d.render(w, http.StatusOK, "alerts", v)
}

// Title is an alert kind's title in the page's language.
func (v alertsView) KindTitle(kind string) string { return watch.Title(kind, v.Locale) }

// Summary is what an alert says.
func (v alertsView) Summary(a watch.Alert) string { return a.Summary(v.Locale) }

// ClientURL is the alert's client's page.
func (v alertsView) ClientURL(a watch.Alert) string {
	return "/clients/" + urlPath(a.Client) + "?entity=" + urlQuery(a.Entity)
}
