package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/importer"
)

// TestAPIWritesAndReads goes through every endpoint once with the outcome
// checked in the ledger: clients, invoices, a credit note, payments,
// allocations from a payment and a credit note, a dispute opened and
// resolved, a promise, a pause and its end, an insolvency; then the reads.
func TestAPIWritesAndReads(t *testing.T) {
	e := newAPIEnv(t, 0)
	e.seed()
	if n := e.count(`SELECT count(*) FROM invoice i JOIN client c ON c.id = i.client_id WHERE c.code IN ('C1', 'C2')`); n != 2 {
		t.Fatalf("%d invoices after the batch", n)
	}
	// F-2 had terms 30 and no due date: due 30 days after its issue date.
	if n := e.count(`SELECT count(*) FROM invoice WHERE number = 'F-2' AND due_date = '2025-09-09' AND amount_incl_vat = 80050`); n != 1 {
		t.Error("F-2: the due date from its terms, or its amount given as a JSON number, is wrong")
	}

	// Clients: a batch, then one; a field left out is kept.
	r := e.writer(200, "POST", "/api/v1/clients", map[string]any{"clients": []map[string]any{
		{"client_id": "C1", "country": "DE", "city": "Berlin"},
		{"client_id": "C3", "client_name": "Gamma", "email": []string{"a@gamma.example", "b@gamma.example"}},
	}})
	if b := r.json(t); b["clients_created"] != 1.0 || b["clients_updated"] != 1.0 || b["batch"] == 0.0 || b["rows"] != 2.0 {
		t.Errorf("clients batch: %s", r.body)
	}
	r = e.writer(200, "PUT", "/api/v1/clients/C3", map[string]any{"siren": "732 829 320"})
	if c := r.json(t); c["siren"] != "732829320" || c["client_name"] != "Gamma" || len(c["email"].([]any)) != 2 {
		t.Errorf("PUT client: %s", r.body)
	}
	if n := e.count(`SELECT count(*) FROM client WHERE code = 'C1' AND country = 'DE' AND city = 'Berlin' AND name = 'Alpha SARL'`); n != 1 {
		t.Error("C1 was not updated as said, or lost its name")
	}
	if n := e.count(`SELECT count(*) FROM event e JOIN client c ON c.id = e.client_id
		WHERE e.kind = 'client_updated' AND e.actor = 'api:erp-writer' AND (c.code, e.reason) IN (('C1', 'country, city'), ('C3', 'name, emails'), ('C3', 'siren'))`); n != 3 {
		t.Errorf("%d client_updated events naming the fields given, want one per client per write", n)
	}

	// One invoice, then a credit note on it.
	r = e.writer(200, "PUT", "/api/v1/invoices/F-3", map[string]any{"client_id": "C3", "issue_date": "2025-09-15",
		"due_date": "2025-10-15", "amount": "500.00"})
	if r.header.Get("ETag") == "" || r.json(t)["outstanding"] != "500.00" {
		t.Errorf("PUT invoice: %s (ETag %q)", r.body, r.header.Get("ETag"))
	}
	e.writer(200, "PUT", "/api/v1/invoices/AV-1", map[string]any{"client_id": "C1", "issue_date": "2025-09-20",
		"amount": "-200.00", "kind": "credit_note", "applies_to": "F-1"})
	if n := e.count(`SELECT count(*) FROM invoice WHERE number = 'F-1' AND outstanding = 100000`); n != 1 {
		t.Error("the credit note did not reduce F-1 to 1000.00")
	}

	// Payments: one pays F-2 in full, one is unapplied, then allocated.
	r = e.writer(200, "POST", "/api/v1/payments", map[string]any{"payments": []map[string]any{
		{"invoice_number": "F-2", "date": "2025-09-25", "amount": "800.50", "reference": "VIR BETA"},
		{"client_id": "C3", "date": "2025-09-26", "amount": "100.00", "reference": "VIR GAMMA"},
	}})
	if b := r.json(t); b["created"] != 2.0 || b["unallocated"] != "100.00" || b["batch"] == 0.0 {
		t.Errorf("payments: %s", r.body)
	}
	r = e.writer(200, "POST", "/api/v1/allocations", map[string]any{"invoice_number": "F-3", "payment_reference": "VIR GAMMA"})
	if a := r.json(t); a["amount"] != "100.00" || a["created"] != true {
		t.Errorf("allocation: %s", r.body)
	}
	r = e.writer(200, "POST", "/api/v1/allocations", map[string]any{"invoice_number": "F-3", "payment_reference": "VIR GAMMA"})
	if a := r.json(t); a["created"] != false {
		t.Errorf("the same allocation again: %s, want it found, not recorded twice", r.body)
	}
	e.writer(409, "POST", "/api/v1/allocations", map[string]any{"invoice_number": "F-3", "payment_reference": "VIR GAMMA", "amount": "50.00"})
	if n := e.count(`SELECT count(*) FROM invoice WHERE number IN ('F-2', 'F-3') AND outstanding IN (0, 40000)`); n != 2 {
		t.Error("F-2 is not paid, or F-3 does not owe 400.00")
	}
	// A credit note with nothing applied yet, allocated by hand.
	e.writer(200, "PUT", "/api/v1/invoices/AV-2", map[string]any{"client_id": "C3", "issue_date": "2025-09-28", "amount": "-50.00"})
	e.writer(200, "POST", "/api/v1/allocations", map[string]any{"invoice_number": "F-3", "credit_note": "AV-2", "amount": "50.00"})
	if n := e.count(`SELECT count(*) FROM invoice WHERE (number = 'F-3' AND outstanding = 35000) OR (number = 'AV-2' AND outstanding = 0)`); n != 2 {
		t.Error("the credit note's allocation did not move 50.00")
	}

	// The person actions.
	e.writer(200, "POST", "/api/v1/disputes?as_of=2025-10-01", map[string]any{"invoice_number": "F-1", "reason": "quality", "note": "pièces rayées"})
	e.writer(409, "POST", "/api/v1/disputes", map[string]any{"invoice_number": "F-1", "reason": "quality"})
	r = e.writer(200, "POST", "/api/v1/disputes/F-1/resolve?as_of=2025-10-03", map[string]any{"outcome": "avoir émis"})
	if d := r.json(t); d["resolved"] != "2025-10-03" || d["resolved_by"] != "api:erp-writer" {
		t.Errorf("resolve: %s", r.body)
	}
	r = e.writer(200, "POST", "/api/v1/promises", map[string]any{"invoice_number": "F-3", "pay_by": "2025-10-10"})
	if p := r.json(t); p["until"] != "2025-10-13" || p["amount"] != "350.00" {
		t.Errorf("promise: %s, want held through 10-13 (3 days of grace) for what is due", r.body)
	}
	e.writer(200, "POST", "/api/v1/clients/C2/pause", map[string]any{"reason": "key account", "until": "2025-12-31"})
	r = e.writer(200, "POST", "/api/v1/clients/C2/resume?as_of=2025-10-02", map[string]any{"reason": "back to normal"})
	if !strings.Contains(string(r.body), `"resumed_on":"2025-10-02"`) {
		t.Errorf("resume: %s", r.body)
	}
	r = e.writer(200, "PUT", "/api/v1/clients/C3/insolvency", map[string]any{"kind": "redressement", "opened": "2025-09-30", "published": "2025-10-15"})
	if !strings.Contains(string(r.body), `"claim_deadline":"2025-12-15"`) {
		t.Errorf("insolvency: %s", r.body)
	}
	for _, kind := range []string{"invoices_batch", "clients_batch", "payments_batch", "allocation_recorded", "dispute_opened",
		"dispute_resolved", "promise_made", "client_paused", "client_resumed", "insolvency_recorded"} {
		if n := e.count(`SELECT count(*) FROM event WHERE kind = $1 AND actor = 'api:erp-writer'`, kind); n == 0 {
			t.Errorf("no %s event recorded as api:erp-writer", kind)
		}
	}
	checkReads(t, e)
}

// checkReads reads what TestAPIWritesAndReads wrote.
func checkReads(t *testing.T, e *apiEnv) {
	reader := e.tokens[RoleReader]
	r := e.do("GET", "/api/v1/clients/C1?as_of=2025-10-05", reader, nil)
	var v clientView
	if err := json.Unmarshal(r.body, &v); err != nil || r.status != 200 {
		t.Fatalf("client: %d %s", r.status, r.body)
	}
	if v.Client.Country != "DE" || len(v.OpenItems) != 1 || v.OpenItems[0].InvoiceNumber != "F-1" || v.OpenItems[0].Outstanding != "1000.00" {
		t.Errorf("client C1: %s", r.body)
	}
	var kinds []string
	for _, te := range v.Timeline {
		kinds = append(kinds, te.Kind)
		if te.Kind == "dispute_opened" && (te.Actor != "api:erp-writer" || te.Reason != "quality" || te.Detail["note"] != "pièces rayées") {
			t.Errorf("timeline: %+v", te)
		}
	}
	if !slices.Contains(kinds, "dispute_opened") || !slices.Contains(kinds, "dispute_resolved") || !slices.Contains(kinds, "invoice") {
		t.Errorf("C1's timeline: %v", kinds)
	}
	if r := e.do("GET", "/api/v1/clients/NOPE", reader, nil); r.status != 404 {
		t.Errorf("unknown client: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/api/v1/invoices/F-3", reader, nil)
	if r.status != 200 || r.header.Get("ETag") == "" || r.json(t)["outstanding"] != "350.00" {
		t.Errorf("invoice: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/api/v1/preview?as_of=2025-10-06&days=3", reader, nil)
	if p := r.json(t); r.status != 200 || p["entity"] != "default" || len(p["days"].([]any)) != 3 ||
		p["days"].([]any)[0].(map[string]any)["date"] != "2025-10-06" {
		t.Errorf("preview: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/preview?days=400", reader, nil); r.status != 400 || !slices.Contains(r.fields(t), `days: "400": want 1 to 366`) {
		t.Errorf("preview days=400: %d %s", r.status, r.body)
	}
	// The aged balance is the bytes `relance aging` writes for the same view;
	// default holds filiale, whose client only subsidiaries=true shows.
	if _, err := e.db.Exec(context.Background(), `
INSERT INTO entity (code, name, parent_id) SELECT 'filiale', 'Filiale Sud SAS', id FROM entity WHERE code = 'default';
INSERT INTO client (entity_id, code, name) SELECT id, 'S001', 'Sigma SARL' FROM entity WHERE code = 'filiale';
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, currency, amount_incl_vat)
SELECT c.entity_id, c.id, 'S1', '2025-07-01', '2025-07-31', 'EUR', 250000 FROM client c WHERE c.code = 'S001'`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct{ query, format, by string }{
		{"as_of=2025-10-05", "json", "client"},
		{"as_of=2025-10-05&subsidiaries=true", "json", "client"},
		{"as_of=2025-10-05&by=bucket", "json", "bucket"},
		{"as_of=2025-10-05&by=invoice", "json", "invoice"},
		{"as_of=2025-10-05&format=csv&client=C1", "csv", "client"},
	} {
		r := e.do("GET", "/api/v1/aging?"+q.query, reader, nil)
		var want bytes.Buffer
		o := aging.Options{AsOf: clockDate(t, "2025-10-05"), Edges: []int{30, 60, 90, 120}, Entity: "default"}
		if strings.Contains(q.query, "client=C1") {
			o.Client = "C1"
		}
		o.Subsidiaries = strings.Contains(q.query, "subsidiaries=true")
		if o.Subsidiaries != bytes.Contains(r.body, []byte("S001")) {
			t.Errorf("aging?%s lists filiale's client S001: %t", q.query, !o.Subsidiaries)
		}
		if err := aging.Write(context.Background(), e.db, o, nil, aging.View{Format: q.format, By: q.by}, &want); err != nil {
			t.Fatal(err)
		}
		if r.status != 200 || !bytes.Equal(r.body, want.Bytes()) {
			t.Errorf("aging?%s: %d\n%s\nwant\n%s", q.query, r.status, r.body, want.Bytes())
		}
	}
	if r := e.do("GET", "/api/v1/aging?asof=2025-10-05", reader, nil); r.status != 400 || !strings.Contains(string(r.body), "asof") {
		t.Errorf("aging with a misspelt parameter: %d %s", r.status, r.body)
	}
	for _, q := range []string{"subsidiaries=yes", "entity=all&subsidiaries=true"} {
		if r := e.do("GET", "/api/v1/aging?"+q, reader, nil); r.status != 400 || len(r.fields(t)) != 1 || !strings.HasPrefix(r.fields(t)[0], "subsidiaries: ") {
			t.Errorf("aging?%s: %d %s", q, r.status, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/aging?entity=nope", reader, nil); r.status != 404 {
		t.Errorf("aging of an unknown entity: %d %s", r.status, r.body)
	}
}

// TestAPIRefusesWithTheImportsWords: a batch's bad rows are refused with a
// 400 naming each field as invoices[i].column, with the very words a file
// import of the same rows prints, and nothing is written.
func TestAPIRefusesWithTheImportsWords(t *testing.T) {
	e := newAPIEnv(t, 0)
	rows := []map[string]string{
		{"invoice_number": "F-1", "client_id": "C1", "issue_date": "2025-09-01", "amount": "100.00", "paid": "150.00"},
		{"invoice_number": "F-2", "client_id": "C1", "issue_date": "31/02/2025", "amount": "abc"},
		{"invoice_number": "AV-1", "client_id": "C1", "issue_date": "2025-09-01", "amount": "-10.00", "applies_to": "F-9"},
		{"invoice_number": "F-3", "client_id": "C1", "issue_date": "2025-09-01", "amount": "10.00", "email": "not an address", "siren": "123"},
		{"invoice_number": "", "client_id": "C1", "issue_date": "2025-09-01", "amount": "10.00", "currency": "EURO"},
	}
	r := e.writer(400, "POST", "/api/v1/invoices", map[string]any{"invoices": rows})
	got := r.fields(t)

	// The same rows as a file: header line 1, rows from line 2.
	cols := []string{"invoice_number", "client_id", "issue_date", "amount", "paid", "applies_to", "email", "siren", "currency"}
	var csv strings.Builder
	csv.WriteString(strings.Join(cols, ";") + "\n")
	for _, row := range rows {
		var cells []string
		for _, c := range cols {
			cells = append(cells, row[c])
		}
		csv.WriteString(strings.Join(cells, ";") + "\n")
	}
	path := filepath.Join(t.TempDir(), "factures.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := importer.ImportInvoices(context.Background(), e.db, path, importer.Options{Actor: "cli:tester", AsOf: today})
	ie, ok := err.(*importer.ImportError)
	if !ok {
		t.Fatalf("the file import: %v", err)
	}
	var want []string
	for _, re := range ie.Errors {
		want = append(want, fmt.Sprintf("invoices[%d].%s: %s", re.Line-2, re.Column, re.Reason))
	}
	if !slices.Equal(got, want) || len(got) < 7 {
		t.Errorf("API:\n%s\nfile import, same rows:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := e.count(`SELECT count(*) FROM invoice`); n != 0 {
		t.Errorf("%d invoices written by a refused batch", n)
	}

	// Fields of a single write and JSON that is not the right shape.
	for _, c := range []struct {
		method, path string
		body         any
		field        string
	}{
		{"PUT", "/api/v1/invoices/F-1", map[string]any{"invoice_number": "F-2"}, "invoice_number: "},
		{"PUT", "/api/v1/invoices/F-1", map[string]any{"client_id": "C1", "issue_date": "2025-09-01", "amount": "1", "color": "red"}, "color: unknown field"},
		{"PUT", "/api/v1/invoices/F-1", map[string]any{"client_id": "C1", "issue_date": "2025-09-01", "amount": true}, "amount: want a string"},
		{"PUT", "/api/v1/clients/C1", map[string]any{"siret": "12345678901234"}, "siret: "},
		{"POST", "/api/v1/invoices", map[string]any{"invoices": []any{}}, "invoices: no items"},
		{"POST", "/api/v1/invoices", map[string]any{"factures": []any{}}, "factures: unknown field"},
		{"POST", "/api/v1/invoices", `{"invoices": [`, "body: invalid JSON"},
		{"POST", "/api/v1/disputes", map[string]any{"invoice_number": "F-1"}, "reason: required"},
		{"POST", "/api/v1/disputes", map[string]any{"invoice_number": "F-1", "reason": "price", "until": "demain"}, `until: invalid date "demain"`},
		{"POST", "/api/v1/disputes", map[string]any{"invoice_number": 12, "reason": "price"}, "invoice_number: want a JSON string"},
		{"POST", "/api/v1/promises", map[string]any{"pay_by": "2025-10-10"}, "invoice_number: name an invoice"},
		{"POST", "/api/v1/allocations", map[string]any{"invoice_number": "F-1"}, "payment_reference: name a payment"},
		{"POST", "/api/v1/allocations", map[string]any{"payment_reference": "X", "amount": "-3"}, "invoice_number: required"},
		{"PUT", "/api/v1/clients/C1/insolvency", map[string]any{"kind": "faillite", "opened": "2025-09-01"}, `kind: "faillite": want`},
		{"POST", "/api/v1/clients/C1/pause?as_of=hier", map[string]any{"reason": "x"}, `as_of: invalid date "hier"`},
	} {
		r := e.do(c.method, c.path, e.tokens[RoleWriter], c.body)
		fields := strings.Join(r.fields(t), "\n")
		if r.status != 400 || !strings.Contains(fields, c.field) {
			t.Errorf("%s %s %v: %d %s, want 400 naming %q", c.method, c.path, c.body, r.status, r.body, c.field)
		}
	}
}

// TestAPIBodyLimitAndContentType: over the configured limit is a 413 and
// writes nothing; a body that is not JSON is a 415; more than 10,000 items
// is a 400 naming the array.
func TestAPIBodyLimitAndContentType(t *testing.T) {
	e := newAPIEnv(t, 4096)
	var big []map[string]string
	for i := range 60 {
		big = append(big, map[string]string{"invoice_number": fmt.Sprintf("F-%d", i), "client_id": "C1", "issue_date": "2025-09-01", "amount": "10.00"})
	}
	r := e.writer(413, "POST", "/api/v1/invoices", map[string]any{"invoices": big})
	if !strings.Contains(string(r.body), "server.api_body_limit") {
		t.Errorf("413: %s", r.body)
	}
	if n := e.count(`SELECT count(*) FROM invoice`); n != 0 {
		t.Errorf("%d invoices written past the limit", n)
	}
	e.writer(200, "POST", "/api/v1/invoices", map[string]any{"invoices": big[:5]})
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", ""} {
		r := e.writer(415, "POST", "/api/v1/disputes", map[string]any{"invoice_number": "F-1", "reason": "price"}, "Content-Type", ct)
		if !strings.Contains(string(r.body), "application/json") {
			t.Errorf("415 for %q: %s", ct, r.body)
		}
	}

	e = newAPIEnv(t, 0)
	over := make([]map[string]string, MaxBatch+1)
	for i := range over {
		over[i] = map[string]string{"invoice_number": fmt.Sprint(i)}
	}
	r = e.writer(400, "POST", "/api/v1/invoices", map[string]any{"invoices": over})
	if f := r.fields(t); len(f) != 1 || !strings.HasPrefix(f[0], "invoices: 10001 items: at most 10000") {
		t.Errorf("10,001 items: %s", r.body)
	}
}

// TestAPIConcurrentWritersOnOneInvoice: two writers that read the same
// version of an invoice and write it at once with If-Match: one wins, the
// other gets a 409 and changes nothing; without If-Match both go in, one
// after the other, and the invoice ends as one of them wrote it. An
// invoice with settlements cannot move to another client or currency.
func TestAPIConcurrentWritersOnOneInvoice(t *testing.T) {
	e := newAPIEnv(t, 0)
	e.seed()
	tag := e.do("GET", "/api/v1/invoices/F-1", e.tokens[RoleReader], nil).header.Get("ETag")
	for round, ifMatch := range []bool{true, false} {
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		for i, amount := range []string{"1300.00", "1400.00"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var headers []string
				if ifMatch {
					headers = []string{"If-Match", tag}
				}
				body := map[string]any{"client_id": "C1", "issue_date": "2025-08-01", "due_date": "2025-08-31", "amount": amount}
				r := e.do("PUT", "/api/v1/invoices/F-1", e.tokens[RoleWriter], body, headers...)
				statuses[i] = r.status
			}()
		}
		wg.Wait()
		slices.Sort(statuses)
		want := []int{200, 409}
		if !ifMatch {
			want = []int{200, 200}
		}
		if !slices.Equal(statuses, want) {
			t.Errorf("round %d (If-Match %v): %v, want %v", round, ifMatch, statuses, want)
		}
		if n := e.count(`SELECT count(*) FROM invoice WHERE number = 'F-1' AND amount_incl_vat IN (130000, 140000)`); n != 1 {
			t.Errorf("round %d: F-1 is not as one writer wrote it", round)
		}
	}
	// The stale tag is refused, the current one accepted.
	if r := e.do("PUT", "/api/v1/invoices/F-1", e.tokens[RoleWriter], map[string]any{"client_id": "C1", "issue_date": "2025-08-01", "amount": "1.00"}, "If-Match", tag); r.status != 409 || !strings.Contains(string(r.body), "read it again") {
		t.Errorf("stale If-Match: %d %s", r.status, r.body)
	}
	cur := e.do("GET", "/api/v1/invoices/F-1", e.tokens[RoleReader], nil).header.Get("ETag")
	e.writer(200, "PUT", "/api/v1/invoices/F-1", map[string]any{"client_id": "C1", "issue_date": "2025-08-01", "due_date": "2025-08-31", "amount": "1200.00"}, "If-Match", cur)

	// Once paid in part, F-1 stays with its client and currency.
	e.writer(200, "POST", "/api/v1/payments", map[string]any{"payments": []map[string]any{{"invoice_number": "F-1", "date": "2025-09-20", "amount": "100.00"}}})
	r := e.writer(409, "POST", "/api/v1/invoices", map[string]any{"invoices": []map[string]any{
		{"invoice_number": "F-1", "client_id": "C2", "issue_date": "2025-08-01", "amount": "1200.00"},
		{"invoice_number": "F-2", "client_id": "C2", "issue_date": "2025-08-10", "amount": "800.50", "currency": "USD"},
	}})
	if f := r.fields(t); len(f) != 1 || !strings.HasPrefix(f[0], "invoices[0].client_id: invoice \"F-1\" of client \"C1\" has reminders or settlements") {
		t.Errorf("moving a paid invoice: %s", r.body)
	}
	e.writer(200, "POST", "/api/v1/invoices", map[string]any{"invoices": []map[string]any{
		{"invoice_number": "F-2", "client_id": "C2", "issue_date": "2025-08-10", "amount": "800.50", "currency": "USD"},
	}})
}

// TestAPINumbersWithSlashes: French invoice numbers often hold slashes
// (F/2025/001); escaped as %2F they are one segment of the path.
func TestAPINumbersWithSlashes(t *testing.T) {
	e := newAPIEnv(t, 0)
	r := e.writer(200, "PUT", "/api/v1/invoices/F%2F2025%2F001", map[string]any{"client_id": "C/1", "issue_date": "2025-09-01", "amount": "10.00"})
	if r.json(t)["invoice_number"] != "F/2025/001" {
		t.Errorf("PUT: %s", r.body)
	}
	if r := e.do("GET", "/api/v1/invoices/F%2F2025%2F001", e.tokens[RoleReader], nil); r.status != 200 || r.json(t)["client_id"] != "C/1" {
		t.Errorf("GET invoice: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/clients/C%2F1", e.tokens[RoleReader], nil); r.status != 200 {
		t.Errorf("GET client: %d %s", r.status, r.body)
	}
}

func clockDate(t *testing.T, s string) (d time.Time) {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
