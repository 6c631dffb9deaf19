package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/importer"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

// importOptions are the batch options of a call: the API's template with
// the call's entity, actor and day; moving an invoice that has reminders or
// settlements to another client or currency is a conflict.
func (api *API) importOptions(c *call) importer.Options {
	o := api.opts.Import
	o.Entity, o.Actor, o.AsOf, o.RefuseMoves = c.entity, c.act.Actor, c.act.Day, true
	o.Progress, o.Snapshot, o.DryRun = nil, false, false
	return o
}

// requestName names a batch's source in its record and event.
func requestName(r *http.Request) string { return r.Method + " " + r.URL.Path }

// batchJSON is what a batch write answers.
type batchJSON struct {
	Batch          int64    `json:"batch"`
	Rows           int      `json:"rows"`
	Created        int      `json:"created"`
	Updated        int      `json:"updated"`
	ClientsCreated int      `json:"clients_created"`
	ClientsUpdated int      `json:"clients_updated"`
	Unallocated    *string  `json:"unallocated,omitempty"` // payments: what no invoice took
	Warnings       []string `json:"warnings"`
}

func newBatchJSON(res importer.Result) batchJSON {
	b := batchJSON{Batch: res.BatchID, Rows: res.Rows, Created: res.Created, Updated: res.Updated,
		ClientsCreated: res.ClientsCreated, ClientsUpdated: res.ClientsUpdated, Warnings: res.Warnings}
	if b.Warnings == nil {
		b.Warnings = []string{}
	}
	return b
}

// batch decodes a batch body of list and imports it with load.
func (api *API) batch(ctx context.Context, c *call, list string, columns []string,
	load func(context.Context, importer.DB, importer.Records, importer.Options) (importer.Result, error)) (importer.Result, error) {
	items, err := batchItems(c.body, list)
	if err != nil {
		return importer.Result{}, err
	}
	recs, err := records(list, items, columns, nil, requestName(c.r), c.body)
	if err != nil {
		return importer.Result{}, err
	}
	return load(ctx, c.tx, recs, api.importOptions(c))
}

// single imports the one item of a PUT, keyed by the path's value.
func (api *API) single(ctx context.Context, c *call, key, value string, columns []string,
	load func(context.Context, importer.DB, importer.Records, importer.Options) (importer.Result, error)) (importer.Result, error) {
	it, err := singleItem(c.body, key, value)
	if err != nil {
		return importer.Result{}, err
	}
	recs, err := records("", []gjson.Result{it}, columns, map[string]string{key: value}, requestName(c.r), c.body)
	if err != nil {
		return importer.Result{}, err
	}
	return load(ctx, c.tx, recs, api.importOptions(c))
}

func (api *API) upsertClients(ctx context.Context, c *call) (reply, error) {
	res, err := api.batch(ctx, c, "clients", importer.ClientColumns(), importer.ImportClientRecords)
	return reply{body: newBatchJSON(res)}, err
}

func (api *API) upsertClient(ctx context.Context, c *call) (reply, error) {
	code := c.r.PathValue("code")
	if _, err := api.single(ctx, c, "client_id", code, importer.ClientColumns(), importer.ImportClientRecords); err != nil {
		return reply{}, err
	}
	cl, err := c.store.Client(ctx, code, c.act.Day)
	return reply{body: newClientJSON(cl)}, err
}

func (api *API) upsertInvoices(ctx context.Context, c *call) (reply, error) {
	res, err := api.batch(ctx, c, "invoices", importer.InvoiceColumns(), importer.ImportInvoiceRecords)
	return reply{body: newBatchJSON(res)}, err
}

// upsertInvoice writes one invoice or credit note. With If-Match, the
// invoice is locked and its version compared first: a writer that read an
// older version gets a 409 and writes nothing.
func (api *API) upsertInvoice(ctx context.Context, c *call) (reply, error) {
	number := c.r.PathValue("number")
	if match := c.r.Header.Get("If-Match"); match != "" {
		version, err := c.store.LockInvoice(ctx, number)
		if errors.Is(err, ledger.ErrNotFound) {
			return reply{}, &apiError{status: http.StatusConflict, msg: fmt.Sprintf("If-Match: no invoice %s to match", number)}
		}
		if !etagMatches(match, etag(version)) {
			return reply{}, &apiError{status: http.StatusConflict,
				msg: fmt.Sprintf("invoice %s changed since the version you sent (now %s): read it again and retry", number, etag(version))}
		}
	}
	if _, err := api.single(ctx, c, "invoice_number", number, importer.InvoiceColumns(), importer.ImportInvoiceRecords); err != nil {
		return reply{}, err
	}
	inv, err := c.store.Invoice(ctx, number)
	if err != nil {
		return reply{}, err
	}
	return reply{body: newInvoiceJSON(inv), etag: etag(inv.Version)}, nil
}

// etag is an invoice version as an ETag.
func etag(version int64) string { return fmt.Sprintf(`"%d"`, version) }

// etagMatches reports whether an If-Match header names current.
func etagMatches(header, current string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == current {
			return true
		}
	}
	return false
}

func (api *API) recordPayments(ctx context.Context, c *call) (reply, error) {
	res, err := api.batch(ctx, c, "payments", importer.PaymentColumns(), importer.ImportPaymentRecords)
	b := newBatchJSON(res)
	u := money.FormatPlain(money.Amount(res.Unallocated))
	b.Unallocated = &u
	return reply{body: b}, err
}

// checks collects the refused fields of a request body, in order.
type checks struct{ fields []fieldReason }

func (k *checks) bad(field, reason string) { k.fields = append(k.fields, fieldReason{field, reason}) }

// required refuses an empty s.
func (k *checks) required(field, s string) {
	if strings.TrimSpace(s) == "" {
		k.bad(field, "required")
	}
}

// date reads an optional ISO date.
func (k *checks) date(field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	d, err := clock.ParseDate(s)
	if err != nil {
		k.bad(field, err.Error())
	}
	return d
}

// amount reads an optional amount ("1200.50"); zero when absent.
func (k *checks) amount(field, s string) money.Amount {
	if s == "" {
		return 0
	}
	a, err := money.Parse(s)
	if err != nil {
		k.bad(field, err.Error())
	}
	return a
}

func (k *checks) err() error {
	if len(k.fields) == 0 {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, msg: "invalid request", fields: k.fields}
}

func (api *API) allocate(ctx context.Context, c *call) (reply, error) {
	var in struct {
		Invoice    string `json:"invoice_number"`
		Reference  string `json:"payment_reference"`
		PaymentDay string `json:"payment_date"`
		CreditNote string `json:"credit_note"`
		Amount     string `json:"amount"`
	}
	if err := decodeObject(c.body, &in); err != nil {
		return reply{}, err
	}
	var k checks
	req := ledger.AllocationRequest{Invoice: in.Invoice, PaymentReference: in.Reference, CreditNote: in.CreditNote,
		PaymentDay: k.date("payment_date", in.PaymentDay), Amount: k.amount("amount", in.Amount)}
	if err := k.err(); err != nil {
		return reply{}, err
	}
	a, err := c.store.Allocate(ctx, c.act, req)
	if err != nil {
		return reply{}, renameFields(err, map[string]string{"invoice": "invoice_number"})
	}
	return reply{body: allocationJSON{Invoice: a.Invoice, Client: a.Client, Source: a.Source,
		Amount: money.FormatPlain(a.Amount), Currency: a.Currency, Day: day(a.Day), Created: a.Created}}, nil
}

// renameFields names the ledger's fields of an *InvalidError as the body
// does.
func renameFields(err error, names map[string]string) error {
	var invalid *ledger.InvalidError
	if !errors.As(err, &invalid) {
		return err
	}
	e := &apiError{status: http.StatusBadRequest, msg: "invalid request"}
	for _, f := range invalid.Fields {
		name := f.Field
		if n, ok := names[name]; ok {
			name = n
		}
		e.fields = append(e.fields, fieldReason{name, f.Err.Error()})
	}
	return e
}

func (api *API) openDispute(ctx context.Context, c *call) (reply, error) {
	var in struct {
		Invoice string `json:"invoice_number"`
		Reason  string `json:"reason"`
		Note    string `json:"note"`
		Until   string `json:"until"`
	}
	if err := decodeObject(c.body, &in); err != nil {
		return reply{}, err
	}
	var k checks
	k.required("invoice_number", in.Invoice)
	k.required("reason", in.Reason)
	o := ledger.DisputeOpening{Invoice: in.Invoice, Reason: in.Reason, Note: in.Note, Until: k.date("until", in.Until)}
	if err := k.err(); err != nil {
		return reply{}, err
	}
	d, err := c.store.OpenDispute(ctx, c.act, o)
	return reply{body: newDisputeJSON(d)}, err
}

func (api *API) resolveDispute(ctx context.Context, c *call) (reply, error) {
	var in struct {
		Outcome string `json:"outcome"`
	}
	if err := decodeObject(c.body, &in); err != nil {
		return reply{}, err
	}
	d, err := c.store.ResolveDispute(ctx, c.act, c.r.PathValue("number"), in.Outcome)
	return reply{body: newDisputeJSON(d)}, err
}

func (api *API) recordPromise(ctx context.Context, c *call) (reply, error) {
	var in struct {
		Invoice string `json:"invoice_number"`
		Client  string `json:"client_id"`
		PayBy   string `json:"pay_by"`
		Amount  string `json:"amount"`
		Note    string `json:"note"`
	}
	if err := decodeObject(c.body, &in); err != nil {
		return reply{}, err
	}
	var k checks
	req := ledger.PromiseRequest{Note: in.Note, Amount: k.amount("amount", in.Amount)}
	switch {
	case in.Invoice != "" && in.Client != "":
		k.bad("client_id", "name an invoice or a client, not both")
	case in.Invoice != "":
		req.Target = "invoice:" + in.Invoice
	case in.Client != "":
		req.Target = "client:" + in.Client
	default:
		k.bad("invoice_number", "name an invoice (invoice_number) or a client (client_id)")
	}
	k.required("pay_by", in.PayBy)
	req.PayBy = k.date("pay_by", in.PayBy)
	if err := k.err(); err != nil {
		return reply{}, err
	}
	p, err := c.store.RecordPromise(ctx, c.act, req)
	return reply{body: newPromiseJSON(p)}, err
}

func (api *API) recordInsolvency(ctx context.Context, c *call) (reply, error) {
	var in struct {
		Kind      string `json:"kind"`
		Opened    string `json:"opened"`
		Published string `json:"published"`
	}
	if err := decodeObject(c.body, &in); err != nil {
		return reply{}, err
	}
	var k checks
	switch in.Kind {
	case ledger.Sauvegarde, ledger.Redressement, ledger.Liquidation:
	default:
		k.bad("kind", fmt.Sprintf("%q: want sauvegarde, redressement or liquidation", in.Kind))
	}
	k.required("opened", in.Opened)
	ins := ledger.Insolvency{Kind: in.Kind, Opened: k.date("opened", in.Opened), Published: k.date("published", in.Published)}
	if err := k.err(); err != nil {
		return reply{}, err
	}
	code := c.r.PathValue("code")
	if err := c.store.RecordInsolvency(ctx, c.act, code, ins); err != nil {
		return reply{}, err
	}
	cl, err := c.store.Client(ctx, code, c.act.Day)
	return reply{body: newClientJSON(cl)}, err
}

func (api *API) pauseClient(ctx context.Context, c *call) (reply, error) {
	var in struct {
		Reason string `json:"reason"`
		Until  string `json:"until"`
	}
	if err := decodeObject(c.body, &in); err != nil {
		return reply{}, err
	}
	var k checks
	k.required("reason", in.Reason)
	until := k.date("until", in.Until)
	if err := k.err(); err != nil {
		return reply{}, err
	}
	p, err := c.store.PauseClient(ctx, c.act, c.r.PathValue("code"), in.Reason, until)
	return reply{body: newPauseJSON(p)}, err
}

func (api *API) resumeClient(ctx context.Context, c *call) (reply, error) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeObject(c.body, &in); err != nil {
		return reply{}, err
	}
	ps, err := c.store.ResumeClient(ctx, c.act, c.r.PathValue("code"), in.Reason)
	out := make([]pauseJSON, len(ps))
	for i, p := range ps {
		out[i] = newPauseJSON(p)
	}
	return reply{body: map[string]any{"resumed": out}}, err
}
