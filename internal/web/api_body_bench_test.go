package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/relance/relance/internal/importer"
)

// BenchmarkBatchRecords reads a batch of 10,000 invoices, as the bench's
// API measurement posts them, into the importer's records.
func BenchmarkBatchRecords(b *testing.B) {
	var body strings.Builder
	body.WriteString(`{"invoices": [`)
	for i := range 10000 {
		if i > 0 {
			body.WriteString(",")
		}
		fmt.Fprintf(&body, `{"invoice_number": "F-%06d", "client_id": "C%05d", "client_name": "Client %d SARL", "email": ["compta%d@client.example"], `+
			`"issue_date": "2025-08-16", "due_date": "2025-09-15", "amount": "%d.%02d", "currency": "EUR", "country": "FR", "siren": "732829320"}`,
			i, i/10, i/10, i/10, 100+i, i%100)
	}
	body.WriteString("]}")
	raw := []byte(body.String())
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		items, err := batchItems(raw, "invoices")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := records("invoices", items, importer.InvoiceColumns(), nil, "bench", raw); err != nil {
			b.Fatal(err)
		}
	}
}
