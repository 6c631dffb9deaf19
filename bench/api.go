package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/importer"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/portfolio"
	"github.com/relance/relance/internal/web"
)

// apiBatch is the size of the API measurement: the largest batch one
// request takes.
const apiBatch = web.MaxBatch

// canonicalColumns are the API's names for the generated file's French
// columns.
var canonicalColumns = map[string]string{
	"numero_facture": "invoice_number", "code_client": "client_id", "raison_sociale": "client_name",
	"date_facture": "issue_date", "date_echeance": "due_date", "delai_paiement": "payment_terms",
	"montant_ttc": "amount", "montant_ht": "amount_excl_vat", "montant_regle": "paid", "devise": "currency",
	"type": "kind", "facture_origine": "applies_to", "email": "email", "langue": "locale", "profil": "profile",
}

// measureAPIBatch times a batch of 10,000 invoices POSTed to the API
// (web.NewAPI served on loopback, in this process) against the file import
// of the same rows (importer.ImportInvoices, in this process too), each into
// a fresh database: both pay the same parse, checks and ledger batch, the
// API the JSON and HTTP on top.
func (b *bench) measureAPIBatch(ctx context.Context) ([]row, error) {
	file := scratch(b, "api-batch.csv")
	body, err := writeAPIBatch(file)
	if err != nil {
		return nil, err
	}
	asOfDay, _ := clock.ParseDate(asOf)
	var fileTimes, apiTimes []time.Duration
	for i := range b.opts.runs + 2 { // a few seconds each: more runs, less noise
		// Turn about, so that neither always runs second.
		measures := []func() error{
			func() error { d, err := b.importFile(ctx, file, asOfDay); fileTimes = append(fileTimes, d); return err },
			func() error { d, err := b.postBatch(ctx, body); apiTimes = append(apiTimes, d); return err },
		}
		if i%2 == 1 {
			measures[0], measures[1] = measures[1], measures[0]
		}
		for _, m := range measures {
			if err := m(); err != nil {
				return nil, err
			}
		}
		b.log.Info("api batch run", "run", i+1, "api", apiTimes[i].Round(time.Millisecond), "file", fileTimes[i].Round(time.Millisecond))
	}
	apiRate := apiBatch / median(apiTimes).Seconds()
	fileRate := apiBatch / median(fileTimes).Seconds()
	r := row{
		What:     "API batch: `POST /api/v1/invoices` (JSON)",
		Scale:    fmt.Sprintf("%d invoices in one request (%d KB)", apiBatch, len(body)>>10),
		Measured: fmt.Sprintf("%.0f rows/s (%s)", apiRate, median(apiTimes).Round(time.Millisecond)),
		Baseline: fmt.Sprintf("%.0f rows/s (%s) file import of the same rows", fileRate, median(fileTimes).Round(time.Millisecond)),
		Ratio:    apiRate / fileRate,
		Target:   "≥ 0.90 × baseline rows/s",
		Note:     "both in-process, each run into a fresh database, in turn, first of `make bench` on a quiet cluster; the API's time is the request's (token check, JSON, HTTP, the batch), the body's encoding aside.",
	}
	r.RatioText = fmt.Sprintf("%.2f", r.Ratio)
	r.Met = r.Ratio >= 0.9
	return []row{r}, nil
}

// importFile times the file import of file into a fresh database.
func (b *bench) importFile(ctx context.Context, file string, day time.Time) (time.Duration, error) {
	pool, err := b.freshPool(ctx, "bench_api_file")
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	terms, _ := ledger.ParseTerms("30")
	start := time.Now()
	_, err = importer.ImportInvoices(ctx, pool, file, importer.Options{Actor: "bench", AsOf: day, DefaultTerms: terms})
	return time.Since(start), err
}

// writeAPIBatch writes a generated portfolio of apiBatch invoices to file
// and returns the same rows as an API body: each cell as the file has it,
// under the API's name of its column.
func writeAPIBatch(file string) ([]byte, error) {
	var buf bytes.Buffer
	p := portfolio.Generate(portfolio.Options{Clients: apiBatch / 10, Invoices: apiBatch, Seed: 1})
	if err := p.WriteInvoicesCSV(&buf); err != nil {
		return nil, err
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	rd := csv.NewReader(&buf)
	rd.Comma = ';'
	recs, err := rd.ReadAll()
	if err != nil {
		return nil, err
	}
	items := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		it := make(map[string]string, len(rec))
		for i, col := range recs[0] {
			it[canonicalColumns[col]] = rec[i]
		}
		items = append(items, it)
	}
	return json.Marshal(map[string]any{"invoices": items})
}

// freshPool opens a pool on a fresh migrated database.
func (b *bench) freshPool(ctx context.Context, name string) (*pgxpool.Pool, error) {
	url, err := b.createDB(ctx, name, true)
	if err != nil {
		return nil, err
	}
	return database.Open(ctx, url)
}

// postBatch serves the API on a fresh database and times one POST of body.
func (b *bench) postBatch(ctx context.Context, body []byte) (time.Duration, error) {
	pool, err := b.freshPool(ctx, "bench_api")
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	clk := clock.Fixed(time.Date(2025, 9, 12, 10, 0, 0, 0, time.UTC))
	tokens := web.Tokens{DB: pool, Clock: clk, Location: time.UTC}
	secret, err := tokens.Create(ctx, "bench", web.RoleWriter, "bench")
	if err != nil {
		return 0, err
	}
	terms, _ := ledger.ParseTerms("30")
	api := web.NewAPI(web.APIOptions{DB: pool, Tokens: tokens, Clock: clk, Location: time.UTC,
		Import: importer.Options{DefaultTerms: terms, Currency: "EUR"}, Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(api)
	defer srv.Close()
	req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+web.APIPrefix+"/invoices?as_of="+asOf, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return d, fmt.Errorf("POST %s/invoices: %d %s", web.APIPrefix, resp.StatusCode, tail(string(out), 2000))
	}
	return d, nil
}
