package web

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/ledger"
)

// readQuery refuses a query parameter a read does not take, so that a typo
// (?asof=) is not silently today.
func readQuery(r *http.Request, allowed ...string) error {
	var k checks
	for name := range r.URL.Query() {
		if !slices.Contains(allowed, name) {
			k.bad(name, "unknown parameter: want "+strings.Join(allowed, ", "))
		}
	}
	return k.err()
}

// readDay checks a read's query (readQuery) and returns its ?as_of= day.
func (api *API) readDay(r *http.Request, allowed ...string) (time.Time, error) {
	if err := readQuery(r, allowed...); err != nil {
		return time.Time{}, err
	}
	return api.day(r)
}

// read answers a read: its error mapped by toAPIError, else v.
func (api *API) read(w http.ResponseWriter, v any, err error) {
	if err != nil {
		writeError(w, toAPIError(err, "", api.opts.Logger))
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// aging is the aged balance, as `relance aging` prints it: the same
// parameters as its flags (as_of, entity — "all" for every one —,
// subsidiaries, client, profile, by) and the same bytes for format json (docs/aging-json.md) or
// csv.
func (api *API) aging(w http.ResponseWriter, r *http.Request) {
	d, err := api.readDay(r, "as_of", "entity", "subsidiaries", "client", "profile", "by", "format")
	if err != nil {
		api.read(w, nil, err)
		return
	}
	q := r.URL.Query()
	var k checks
	v := aging.View{Format: q.Get("format"), By: q.Get("by")}
	if v.Format == "" {
		v.Format = "json"
	}
	if v.By == "" {
		v.By = "client"
	}
	if v.Format != "json" && v.Format != "csv" {
		k.bad("format", fmt.Sprintf("%q: want json or csv", v.Format))
	}
	if v.By != "client" && v.By != "bucket" && v.By != "invoice" {
		k.bad("by", fmt.Sprintf("%q: want client, bucket or invoice", v.By))
	}
	o := aging.Options{AsOf: d, Edges: api.opts.AgingEdges, Entity: api.entityOf(r), Client: q.Get("client"), Profile: q.Get("profile")}
	if o.Entity == "all" {
		o.Entity = ""
	}
	switch s := q.Get("subsidiaries"); {
	case s == "" || s == "false":
	case s != "true":
		k.bad("subsidiaries", fmt.Sprintf("%q: want true or false", s))
	case o.Entity == "":
		k.bad("subsidiaries", "takes one entity: entity=all covers every entity already")
	default:
		o.Subsidiaries = true
	}
	if err := k.err(); err != nil {
		api.read(w, nil, err)
		return
	}
	var next aging.NextStepper
	if v.By == "invoice" && api.opts.NextStep != nil {
		next = api.opts.NextStep(d)
	}
	var buf bytes.Buffer
	if err := aging.Write(r.Context(), api.opts.DB, o, next, v, &buf); err != nil {
		api.read(w, nil, err)
		return
	}
	ct := "application/json; charset=utf-8"
	if v.Format == "csv" {
		ct = "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(buf.Bytes())
}

// clientView is GET /clients/{code}: the client with its state on the day,
// its open items and its timeline.
type clientView struct {
	Client    clientJSON     `json:"client"`
	OpenItems []invoiceJSON  `json:"open_items"`
	Timeline  []timelineJSON `json:"timeline"`
}

func (api *API) client(w http.ResponseWriter, r *http.Request) {
	d, err := api.readDay(r, "as_of", "entity")
	if err != nil {
		api.read(w, nil, err)
		return
	}
	ctx, code := r.Context(), r.PathValue("code")
	s := api.store(api.opts.DB, api.entityOf(r))
	c, err := s.Client(ctx, code, d)
	if err != nil {
		api.read(w, nil, err)
		return
	}
	v := clientView{Client: newClientJSON(c), OpenItems: []invoiceJSON{}, Timeline: []timelineJSON{}}
	invoices, err := s.Invoices(ctx, code, true)
	for _, i := range invoices {
		v.OpenItems = append(v.OpenItems, newInvoiceJSON(i))
	}
	var entries []ledger.TimelineEntry
	if err == nil {
		entries, err = s.Timeline(ctx, code, api.opts.Location)
	}
	for _, e := range entries {
		v.Timeline = append(v.Timeline, newTimelineJSON(e))
	}
	api.read(w, v, err)
}

// invoice is GET /invoices/{number}, with its version as ETag for If-Match.
func (api *API) invoice(w http.ResponseWriter, r *http.Request) {
	if err := readQuery(r, "entity"); err != nil {
		api.read(w, nil, err)
		return
	}
	inv, err := api.store(api.opts.DB, api.entityOf(r)).Invoice(r.Context(), r.PathValue("number"))
	if err == nil {
		w.Header().Set("ETag", etag(inv.Version))
	}
	api.read(w, newInvoiceJSON(inv), err)
}

// preview is the upcoming sends, as `relance preview --format json` prints
// them.
func (api *API) preview(w http.ResponseWriter, r *http.Request) {
	d, err := api.readDay(r, "as_of", "entity", "days")
	if err != nil {
		api.read(w, nil, err)
		return
	}
	days := 1
	if s := r.URL.Query().Get("days"); s != "" {
		if days, err = strconv.Atoi(s); err != nil || days < 1 || days > 366 {
			api.read(w, nil, fieldError("days", fmt.Sprintf("%q: want 1 to 366", s)))
			return
		}
	}
	entity := api.entityOf(r)
	if _, err := api.store(api.opts.DB, entity).Entity(r.Context(), entity); err != nil {
		api.read(w, nil, err)
		return
	}
	rep, err := api.opts.Preview.Preview(r.Context(), entity, d, days)
	api.read(w, rep, err)
}

// tokens lists the API tokens (admins only), never their secrets.
func (api *API) tokens(w http.ResponseWriter, r *http.Request) {
	ts, err := api.opts.Tokens.List(r.Context())
	out := make([]tokenJSON, len(ts))
	for i, t := range ts {
		out[i] = tokenJSON{Name: t.Name, Role: t.Role, Created: t.Created, CreatedBy: t.CreatedBy, LastUsed: day(t.LastUsed), RevokedBy: t.RevokedBy}
		if !t.Revoked.IsZero() {
			out[i].Revoked = &t.Revoked
		}
	}
	api.read(w, map[string]any{"tokens": out}, err)
}
