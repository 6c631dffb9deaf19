package importer

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/relance/relance/internal/ledger"
)

// BenchmarkParseCSV measures the reader side alone (no database), the
// ledger's checks of each row's client included: the import's COPY can go
// no faster than this.
func BenchmarkParseCSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("invoice_number;client_id;client_name;issue_date;payment_terms;amount;paid;email;langue\n")
	const rows = 100000
	for i := range rows {
		fmt.Fprintf(&buf, "F%07d;C%05d;Client n°%d SARL;%02d/%02d/2025;45 FDM;%d,%02d;0,00;compta@client%d.fr;fr\n",
			i, i%10000, i%10000, i%28+1, i%12+1, i*7%100000, i%100, i%10000)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		in := newInput("bench.csv", bytes.NewReader(data))
		var res Result
		errs := &errorList{file: "bench.csv"}
		rd, err := invoiceProducer(in, opts(), errs, &res)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		if err := rd.produce(func(*ledger.BatchInvoice) bool { n++; return true }); err != nil || n != rows {
			b.Fatal(err, n, errs.err())
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
