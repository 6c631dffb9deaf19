package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/database"
)

// TestLadder150DaysRecordedThroughTheAPI is the ladder of
// TestLadder150DaysRecordedThroughTheCLI with the real world recorded this
// time through the JSON API of `relance serve` (built by the same newAPI,
// with a token made by `relance token create`): the invoices, the clients'
// details, the promises, the dispute and its end, the insolvency, the
// payments. It must send the same messages and letters and leave the same
// ledger, the people's actions recorded as api:erp.
func TestLadder150DaysRecordedThroughTheAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("150 in-process sweeps")
	}
	l := newLadder(t)
	start := clock.Date(2025, 9, 1)
	token := strings.TrimSpace(l.cli(start, "token", "create", "--name", "erp", "--role", "writer"))
	api := newLadderAPI(t, l)

	// The portfolio's rows as they are in the file, under the API's names
	// for its columns.
	names := map[string]string{"numero_facture": "invoice_number", "code_client": "client_id", "raison_sociale": "client_name",
		"date_facture": "issue_date", "date_echeance": "due_date", "montant_ttc": "amount", "email": "email", "langue": "locale"}
	rd := csv.NewReader(strings.NewReader(acceptancePortfolio))
	rd.Comma = ';'
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var invoices []map[string]string
	for _, rec := range rows[1:] {
		inv := map[string]string{}
		for i, col := range rows[0] {
			inv[names[col]] = rec[i]
		}
		invoices = append(invoices, inv)
	}
	type call struct {
		method, path string
		body         any
	}
	payment := func(invoice, date, amount, ref string) any {
		return map[string]any{"payments": []map[string]string{{"invoice_number": invoice, "date": date, "amount": amount, "reference": ref}}}
	}
	recorded := map[string][]call{
		"2025-09-01": {
			{"POST", "/api/v1/invoices", map[string]any{"invoices": invoices}},
			{"PUT", "/api/v1/clients/G", map[string]string{"country": "DE", "address_line1": "Hauptstraße 5", "postcode": "10115",
				"city": "Berlin", "contact_name": "Frau Weber", "vat_number": "DE123456789"}},
			{"PUT", "/api/v1/clients/B", map[string]string{"address_line1": "4 avenue Jean Jaurès", "postcode": "38000", "city": "Grenoble"}},
			{"PUT", "/api/v1/clients/P", map[string]string{"address_line1": "9 rue du Port", "postcode": "13002", "city": "Marseille"}},
		},
		"2025-09-26": {{"POST", "/api/v1/promises", map[string]string{"client_id": "P", "pay_by": "2025-10-03", "note": "virement promis au téléphone"}}},
		"2025-09-29": {{"POST", "/api/v1/promises", map[string]string{"invoice_number": "FA-C1", "pay_by": "2025-10-10"}}},
		"2025-10-05": {{"POST", "/api/v1/disputes", map[string]string{"invoice_number": "FA-B1", "reason": "quality", "note": "pièces rayées"}}},
		"2025-10-06": {{"PUT", "/api/v1/clients/I/insolvency", map[string]string{"kind": "redressement", "opened": "2025-10-02", "published": "2025-10-15"}}},
		"2025-10-08": {{"POST", "/api/v1/payments", payment("FA-A1", "08/10/2025", "1200,00", "VIR MARTIN")}},
		"2025-10-09": {{"POST", "/api/v1/payments", payment("FA-C1", "2025-10-09", "2000.00", "VIR DUBOIS")}},
		"2025-11-20": {{"POST", "/api/v1/disputes/FA-B1/resolve", map[string]string{"outcome": "avoir AV-12 émis"}}},
	}
	summaries := l.run(func(day time.Time, key string) {
		if key == "2025-09-01" {
			l.cli(day, append(acceptanceEntity, "--as-of", key)...)
		}
		for _, c := range recorded[key] {
			data, _ := json.Marshal(c.body)
			req, _ := http.NewRequest(c.method, api+c.path+"?as_of="+key, bytes.NewReader(data))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s %s: %d %s", key, c.method, c.path, resp.StatusCode, body)
			}
		}
	})
	l.check(summaries, "api:erp")
}

// newLadderAPI serves the API that `relance serve` builds, on loopback, and
// returns its URL.
func newLadderAPI(t *testing.T, l *ladder) string {
	t.Helper()
	a := &app{environment: environment{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, env: l.env,
		clock: clock.Fixed(time.Date(2025, 9, 1, 10, 0, 0, 0, time.UTC))}}
	cfg, err := a.config()
	if err != nil {
		t.Fatal(err)
	}
	pool, err := database.Open(context.Background(), l.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	api, err := a.newAPI(cfg, pool, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv.URL
}
