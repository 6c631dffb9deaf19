package dashboard

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/money"
)

// perPage is how many clients a page of the aged balance lists.
const perPage = 50

// agingFilter is what the aged balance page is asked for.
type agingFilter struct {
	Entity          string // "" every entity
	Subsidiaries    bool   // Entity with the entities under it
	Profile         string
	Currency        string
	AsOf            time.Time
	ExcludeDisputed bool
	Bucket          string // only the clients with an amount in it
	Sort            string // a column key
	Desc            bool
	Page            int // from 1
}

// agingView is the page's data.
type agingView struct {
	page
	Filter  agingFilter
	AsOfISO string
	Buckets []aging.Bucket
	entityChoice
	Profiles     []string
	Currencies   []string
	Section      *aging.Section // the currency shown; nil when there is nothing
	Shares       []aging.Rate
	Chart        template.HTML
	Consolidated bool
	Rows         []aging.Row   // this page's
	Totals       aging.Row     // of every row the filter keeps
	Subtotals    []entityTotal // consolidated: of each entity's rows the filter keeps, in code order
	Count        int           // rows the filter keeps
	From, To     int           // 1-based range shown
	Pages        int
	BucketLabel  string
}

// entityTotal is an entity's subtotal in a consolidated balance.
type entityTotal struct {
	aging.Row
	Count int // its rows
}

// parseAgingFilter reads the query.
func (d *dashboard) parseAgingFilter(r *http.Request) (agingFilter, error) {
	q := r.URL.Query()
	f := agingFilter{Entity: d.entityParam(r), Profile: q.Get("profile"), Currency: q.Get("currency"),
		Subsidiaries:    q.Get("subsidiaries") == "include",
		ExcludeDisputed: q.Get("disputes") == "exclude", Bucket: q.Get("bucket"), Sort: q.Get("sort"),
		Desc: q.Get("dir") == "desc", Page: 1}
	var err error
	if f.AsOf, err = d.day(r); err != nil {
		return f, err
	}
	if s := q.Get("page"); s != "" {
		if f.Page, err = strconv.Atoi(s); err != nil || f.Page < 1 {
			return f, badRequest("page %q: want a number from 1", s)
		}
	}
	if f.Sort == "" {
		f.Sort, f.Desc = "overdue", q.Get("dir") != "asc"
	}
	return f, nil
}

// options are the aged balance's options for f: the CLI's flags.
func (d *dashboard) agingOptions(f agingFilter) aging.Options {
	return aging.Options{AsOf: f.AsOf, Edges: d.opts.AgingEdges, Entity: f.Entity, Profile: f.Profile,
		Subsidiaries: f.Subsidiaries && f.Entity != "", ExcludeDisputed: f.ExcludeDisputed}
}

// agingPage is the home page: the chart, the filters and the table.
func (d *dashboard) agingPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := d.parseAgingFilter(r)
	if err != nil {
		return err
	}
	p, err := d.newPage(ctx, w, r, "aging", f.Entity, f.AsOf)
	if err != nil {
		return err
	}
	p.Title = p.T("nav.aging")
	rep, err := aging.ByClient(ctx, d.opts.DB, d.agingOptions(f))
	if err != nil {
		return err
	}
	v := agingView{page: p, Filter: f, AsOfISO: f.AsOf.Format(time.DateOnly), Buckets: rep.Buckets,
		Consolidated: rep.Consolidated()}
	if v.Entities, err = d.store("").Entities(ctx); err != nil {
		return err
	}
	for _, pr := range d.opts.Plans.Profiles {
		v.Profiles = append(v.Profiles, pr.Name)
	}
	for i := range rep.Sections {
		v.Currencies = append(v.Currencies, rep.Sections[i].Currency)
		if rep.Sections[i].Currency == f.Currency || (f.Currency == "" && i == 0) {
			v.Section = &rep.Sections[i]
		}
	}
	if v.Section != nil {
		v.Filter.Currency = v.Section.Currency
		if len(rep.Sections) > 1 { // the links keep the currency shown
			v.page.requestQS.Set("currency", v.Section.Currency)
		}
		v.Shares = v.Section.Shares()
		v.Chart = template.HTML(agingChart(*v.Section, rep.Buckets, p.Locale, func(b aging.Bucket) string { // every text escaped by agingChart
			return string(v.page.link("/aging", "bucket", b.Name))
		}))
		if err := v.table(rep.Buckets); err != nil {
			return err
		}
	}
	return d.render(w, http.StatusOK, "aging", v)
}

// table filters, sorts and pages the section's rows.
func (v *agingView) table(bs []aging.Bucket) error {
	rows := v.Section.Rows
	if v.Filter.Bucket != "" {
		i := slices.IndexFunc(bs, func(b aging.Bucket) bool { return b.Name == v.Filter.Bucket })
		if i < 0 {
			return badRequest("bucket %q: no such bucket", v.Filter.Bucket)
		}
		v.BucketLabel = bs[i].Label(v.Locale)
		rows = slices.DeleteFunc(slices.Clone(rows), func(r aging.Row) bool { return r.Buckets[i] == 0 })
	}
	key, err := sortKey(v.Filter.Sort, bs)
	if err != nil {
		return err
	}
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b aging.Row) int {
		c := key(a, b)
		if c == 0 {
			c = cmp.Compare(a.EntityCode+"\x00"+a.ClientCode, b.EntityCode+"\x00"+b.ClientCode)
			return c // ties read in code order, whichever the direction
		}
		if v.Filter.Desc {
			return -c
		}
		return c
	})
	v.Totals = aging.Row{Currency: v.Section.Currency, Buckets: make([]money.Amount, len(bs))}
	for _, r := range rows {
		v.Totals.Add(r)
	}
	v.Count = len(rows)
	if v.Consolidated {
		v.Subtotals = subtotals(rows, len(bs))
	}
	v.Pages = max(1, (len(rows)+perPage-1)/perPage)
	if v.Filter.Page > v.Pages {
		v.Filter.Page = v.Pages
	}
	start := (v.Filter.Page - 1) * perPage
	end := min(start+perPage, len(rows))
	v.Rows = rows[start:end]
	v.From, v.To = start+1, end
	if len(rows) == 0 {
		v.From = 0
	}
	return nil
}

// subtotals adds up rows by entity, in entity code order.
func subtotals(rows []aging.Row, buckets int) []entityTotal {
	at := map[string]int{} // entity code → index in out
	var out []entityTotal
	for _, r := range rows {
		i, ok := at[r.EntityCode]
		if !ok {
			i, at[r.EntityCode] = len(out), len(out)
			out = append(out, entityTotal{Row: aging.Row{EntityCode: r.EntityCode, EntityName: r.EntityName, Currency: r.Currency,
				Buckets: make([]money.Amount, buckets)}})
		}
		out[i].Add(r)
		out[i].Count++
	}
	slices.SortFunc(out, func(a, b entityTotal) int { return cmp.Compare(a.EntityCode, b.EntityCode) })
	return out
}

// sortKey compares two rows by the column key names.
func sortKey(key string, bs []aging.Bucket) (func(a, b aging.Row) int, error) {
	for i, bk := range bs {
		if bk.Name == key {
			return func(a, b aging.Row) int { return cmp.Compare(a.Buckets[i], b.Buckets[i]) }, nil
		}
	}
	amounts := map[string]func(aging.Row) int64{
		"overdue":   func(r aging.Row) int64 { return int64(r.Overdue()) },
		"unapplied": func(r aging.Row) int64 { return int64(r.Unapplied) },
		"total":     func(r aging.Row) int64 { return int64(r.Total()) },
		"late_rate": func(r aging.Row) int64 { return int64(r.LateRate()) },
		"disputed":  func(r aging.Row) int64 { return int64(r.Disputed) },
	}
	if fn, ok := amounts[key]; ok {
		return func(a, b aging.Row) int { return cmp.Compare(fn(a), fn(b)) }, nil
	}
	switch key {
	case "client":
		return func(a, b aging.Row) int { return cmp.Compare(a.ClientCode, b.ClientCode) }, nil
	case "name":
		return func(a, b aging.Row) int { return cmp.Compare(a.ClientName, b.ClientName) }, nil
	case "entity":
		return func(a, b aging.Row) int { return cmp.Compare(a.EntityCode, b.EntityCode) }, nil
	}
	return nil, badRequest("sort %q: no such column", key)
}

// Colour is bucket i's colour in the chart.
func (v agingView) Colour(i int) template.CSS {
	return template.CSS(bucketColours[min(i, len(bucketColours)-1)]) // a constant of chart.go
}

// SortLink is the link a column heading gives: sorted by key, ascending,
// or descending when it already sorts ascending by key.
func (v agingView) SortLink(key string) template.URL {
	dir := "asc"
	if v.Filter.Sort == key && !v.Filter.Desc {
		dir = "desc"
	}
	q := v.page.link("/aging", "sort", key)
	return template.URL(fmt.Sprintf("%s&dir=%s", q, dir))
}

// SortMark is the arrow beside the sorted column.
func (v agingView) SortMark(key string) string {
	switch {
	case v.Filter.Sort != key:
		return ""
	case v.Filter.Desc:
		return "▼"
	}
	return "▲"
}

// PageLink is the link to page n.
func (v agingView) PageLink(n int) template.URL {
	return v.page.link("/aging", "page", strconv.Itoa(n))
}

// Download is the link to the CSV or XLSX of the same scope.
func (v agingView) Download(format string) template.URL {
	return v.page.link("/aging."+format, "page", "")
}

// ClientLink is a client's page, in the row's entity, on the page's day.
func (v agingView) ClientLink(r aging.Row) template.URL {
	return template.URL(fmt.Sprintf("/clients/%s?entity=%s&as_of=%s", urlPath(r.ClientCode), urlQuery(r.EntityCode), v.AsOfISO))
}

// agingDownload answers /aging.csv and /aging.xlsx: the bytes `relance
// aging --format csv|xlsx` writes for the same entity, profile, date and
// disputes, through the function it uses (aging.Write), in the configured
// locale as the CLI does.
func (d *dashboard) agingDownload(format string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := d.parseAgingFilter(r)
		if err != nil {
			return err
		}
		o := d.agingOptions(f)
		var next aging.NextStepper
		if format == "xlsx" {
			next = aging.NewPlanNextStep(d.opts.Plans, f.AsOf)
		}
		name := "balance-agee-" + f.AsOf.Format(time.DateOnly) + "." + format
		ct := map[string]string{"csv": "text/csv; charset=utf-8",
			"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[format]
		// Rendered into a buffer first: an error must not leave half a
		// file behind a 200.
		var buf bytes.Buffer
		if err := aging.Write(r.Context(), d.opts.DB, o, next, aging.View{Format: format, By: "client", Locale: d.opts.Locale}, &buf); err != nil {
			return err
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		_, err = w.Write(buf.Bytes())
		return err
	}
}
