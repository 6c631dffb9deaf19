package aging

import (
	"bufio"
	"encoding/json"
	"io"
	"time"

	"github.com/relance/relance/internal/money"
)

// The JSON documents below are a stable contract, documented with examples
// in docs/aging-json.md. Amounts are strings in major units with a '.' and
// two decimals ("-400.00"), never floats; rates are percentage strings with
// two decimals ("81.08"); dates are ISO (YYYY-MM-DD). Bucket amounts are
// arrays index-aligned with the top-level "buckets" list, so custom edges
// need no schema change.
//
// By client (--by client):
//
//	{"as_of": "2025-09-12",
//	 "buckets": [{"name": "not_due", "min": null, "max": 0}, {"name": "d1_30", "min": 1, "max": 30}, …,
//	             {"name": "d121_plus", "min": 121, "max": null}],
//	 "currencies": [{"currency": "EUR",
//	   "clients": [{"client_id": "C001", "client_name": "Alpha SARL", "buckets": ["700.00", …],
//	                "overdue": "3000.00", "unapplied": "-400.00", "total": "3300.00", "late_rate": "81.08",
//	                "disputed": "500.00"}],
//	   "total": {same fields, client_id "TOTAL", client_name ""},
//	   "shares": ["7.14", …]}]}
//
// A group's balance (--entity all over several entities) adds "entity" to
// each client and, per currency, "subtotals": the same fields per entity,
// with "entity" and "entity_name" and no client. "disputes_excluded": true
// says the invoices in dispute were left out (--exclude-disputed).
//
// By bucket (--by bucket):
//
//	{"as_of": …, "buckets": […], "currencies": [{"currency": "EUR", "buckets": [
//	   {"name": "d1_30", "total": "2500.00", "share": "25.51",
//	    "clients": [{"client_id": "C001", "client_name": "Alpha SARL", "amount": "2500.00"}]}]}]}
//
// By invoice (--by invoice): {"as_of": …, "items": [Item objects, see jsonItem]}.
type jsonReport struct {
	AsOf             string        `json:"as_of"`
	DisputesExcluded bool          `json:"disputes_excluded,omitempty"`
	Buckets          []jsonBucket  `json:"buckets"`
	Currencies       []jsonSection `json:"currencies"`
}

type jsonBucket struct {
	Name string `json:"name"`
	Min  *int   `json:"min"`
	Max  *int   `json:"max"`
}

type jsonSection struct {
	Currency  string    `json:"currency"`
	Clients   []jsonRow `json:"clients"`
	Subtotals []jsonRow `json:"subtotals,omitempty"`
	Total     jsonRow   `json:"total"`
	Shares    []string  `json:"shares"`
}

// jsonRow is a client, a subtotal or a total. A subtotal has entity and
// entity_name and no client_id; a client of a group's balance has entity.
type jsonRow struct {
	Entity     string   `json:"entity,omitempty"`
	EntityName string   `json:"entity_name,omitempty"`
	ClientID   *string  `json:"client_id,omitempty"`
	ClientName *string  `json:"client_name,omitempty"`
	Buckets    []string `json:"buckets"`
	Overdue    string   `json:"overdue"`
	Unapplied  string   `json:"unapplied"`
	Total      string   `json:"total"`
	LateRate   string   `json:"late_rate"`
	Disputed   string   `json:"disputed"`
}

type jsonBucketReport struct {
	AsOf       string              `json:"as_of"`
	Buckets    []jsonBucket        `json:"buckets"`
	Currencies []jsonBucketSection `json:"currencies"`
}

type jsonBucketSection struct {
	Currency string            `json:"currency"`
	Buckets  []jsonBucketGroup `json:"buckets"`
}

type jsonBucketGroup struct {
	Name    string             `json:"name"`
	Total   string             `json:"total"`
	Share   string             `json:"share"`
	Clients []jsonClientAmount `json:"clients"`
}

type jsonClientAmount struct {
	ClientID   string `json:"client_id"`
	ClientName string `json:"client_name"`
	Amount     string `json:"amount"`
}

// jsonItem is one element of "items" in the by-invoice document. due_date,
// days_late and paused_until are null when they do not apply (a payment has
// no due date; unapplied credit is not aged; no promise covers the date).
type jsonItem struct {
	ClientID    string  `json:"client_id"`
	ClientName  string  `json:"client_name"`
	Kind        string  `json:"kind"`
	Number      string  `json:"number"`
	IssueDate   string  `json:"issue_date"`
	DueDate     *string `json:"due_date"`
	Currency    string  `json:"currency"`
	Amount      string  `json:"amount"`
	Open        string  `json:"open"`
	DaysLate    *int    `json:"days_late"`
	Bucket      string  `json:"bucket"`
	Disputed    bool    `json:"disputed"`
	PausedUntil *string `json:"paused_until"`
	NextStep    string  `json:"next_step"`
}

func jsonBuckets(bs []Bucket) []jsonBucket {
	out := make([]jsonBucket, len(bs))
	for i, b := range bs {
		jb := jsonBucket{Name: b.Name}
		if i > 0 {
			jb.Min = &b.Min
		}
		if b.Max != 0 || i == 0 {
			jb.Max = &b.Max
		}
		out[i] = jb
	}
	return out
}

func toJSONRow(r Row) jsonRow {
	jr := jsonRow{ClientID: &r.ClientCode, ClientName: &r.ClientName, Overdue: money.FormatPlain(r.Overdue()),
		Unapplied: money.FormatPlain(r.Unapplied), Total: money.FormatPlain(r.Total()), LateRate: r.LateRate().String(),
		Disputed: money.FormatPlain(r.Disputed)}
	for _, a := range r.Buckets {
		jr.Buckets = append(jr.Buckets, money.FormatPlain(a))
	}
	return jr
}

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteJSON writes the aged balance by client (schema above).
func WriteJSON(w io.Writer, r Report) error {
	doc := jsonReport{AsOf: r.AsOf.Format(time.DateOnly), DisputesExcluded: r.ExcludeDisputed, Buckets: jsonBuckets(r.Buckets),
		Currencies: []jsonSection{}}
	group := r.Consolidated()
	for _, s := range r.Sections {
		js := jsonSection{Currency: s.Currency, Clients: []jsonRow{}}
		for _, row := range s.Rows {
			jr := toJSONRow(row)
			if group {
				jr.Entity = row.EntityCode
			}
			js.Clients = append(js.Clients, jr)
		}
		for _, sub := range s.Subtotals {
			jr := toJSONRow(sub)
			jr.ClientID, jr.ClientName = nil, nil
			jr.Entity, jr.EntityName = sub.EntityCode, sub.EntityName
			js.Subtotals = append(js.Subtotals, jr)
		}
		total := s.Total
		total.ClientName = ""
		js.Total = toJSONRow(total)
		for _, p := range s.Shares() {
			js.Shares = append(js.Shares, p.String())
		}
		doc.Currencies = append(doc.Currencies, js)
	}
	return writeIndented(w, doc)
}

// WriteBucketsJSON writes the by-bucket view (schema above).
func WriteBucketsJSON(w io.Writer, r Report) error {
	doc := jsonBucketReport{AsOf: r.AsOf.Format(time.DateOnly), Buckets: jsonBuckets(r.Buckets), Currencies: []jsonBucketSection{}}
	for _, g := range r.ByBucket() {
		if n := len(doc.Currencies); n == 0 || doc.Currencies[n-1].Currency != g.Currency {
			doc.Currencies = append(doc.Currencies, jsonBucketSection{Currency: g.Currency})
		}
		jg := jsonBucketGroup{Name: g.Bucket.Name, Total: money.FormatPlain(g.Total), Share: g.Share.String(),
			Clients: []jsonClientAmount{}}
		for _, c := range g.Clients {
			jg.Clients = append(jg.Clients, jsonClientAmount{c.ClientCode, c.ClientName, money.FormatPlain(c.Amount)})
		}
		sec := &doc.Currencies[len(doc.Currencies)-1]
		sec.Buckets = append(sec.Buckets, jg)
	}
	return writeIndented(w, doc)
}

// ItemJSONWriter streams the by-invoice document, one item per line inside
// the "items" array, without holding the items.
type ItemJSONWriter struct {
	w     *bufio.Writer
	first bool
}

// NewItemJSONWriter opens the document.
func NewItemJSONWriter(w io.Writer, asOf time.Time) *ItemJSONWriter {
	bw := bufio.NewWriter(w)
	bw.WriteString(`{"as_of": "` + asOf.Format(time.DateOnly) + `", "items": [`)
	return &ItemJSONWriter{w: bw, first: true}
}

// Write adds one item.
func (x *ItemJSONWriter) Write(it Item) error {
	ji := jsonItem{ClientID: it.ClientCode, ClientName: it.ClientName, Kind: it.Kind, Number: it.Number,
		IssueDate: it.IssueDate.Format(time.DateOnly), Currency: it.Currency, Amount: money.FormatPlain(it.Amount),
		Open: money.FormatPlain(it.Open), DaysLate: it.DaysLate, Bucket: it.Bucket, Disputed: it.Disputed, NextStep: nextStepCode(it.NextStep)}
	if it.DueDate != nil {
		s := it.DueDate.Format(time.DateOnly)
		ji.DueDate = &s
	}
	if it.PausedUntil != nil {
		s := it.PausedUntil.Format(time.DateOnly)
		ji.PausedUntil = &s
	}
	b, err := json.Marshal(ji)
	if err != nil {
		return err
	}
	if !x.first {
		x.w.WriteByte(',')
	}
	x.first = false
	x.w.WriteString("\n  ")
	_, err = x.w.Write(b)
	return err
}

// Close ends the document.
func (x *ItemJSONWriter) Close() error {
	x.w.WriteString("\n]}\n")
	return x.w.Flush()
}
