package importer

import (
	"bytes"
	"os"
	"testing"

	"github.com/relance/relance/internal/money"
)

// parseAll runs the reader side of an invoice import over data, without a
// database, and checks what every emitted row promises the store.
func parseAll(t *testing.T, name string, data []byte) {
	in := newInput(name, bytes.NewReader(data))
	var res Result
	errs := &errorList{file: name}
	rd, err := invoiceProducer(in, opts(), errs, &res)
	if err != nil {
		return // a file-level error (no header, missing columns) is a fine answer
	}
	defer rd.close()
	err = rd.produce(func(r *invoiceRow) bool {
		switch {
		case r.number == "" || r.clientCode == "":
			t.Fatalf("line %d: row without number or client: %+v", r.line, r)
		case r.issue.IsZero() || r.due.Before(r.issue):
			t.Fatalf("line %d: bad dates %v %v", r.line, r.issue, r.due)
		case (r.kind == "credit_note") != (r.amount < 0) && r.amount != 0:
			t.Fatalf("line %d: kind %s with amount %d", r.line, r.kind, r.amount)
		case r.paid != nil && (*r.paid < 0 || *r.paid > r.amount):
			t.Fatalf("line %d: paid %d of %d", r.line, *r.paid, r.amount)
		}
		return true
	})
	if err != nil && errs.total > 0 {
		t.Fatalf("both a fatal error and row errors: %v", err)
	}
	for _, e := range errs.kept {
		if e.Line < 1 || e.Reason == "" {
			t.Fatalf("row error without a place or reason: %+v", e)
		}
	}
}

func FuzzCSV(f *testing.F) {
	for _, file := range []string{"testdata/factures_fr_cp1252.csv", "testdata/invoices_en.csv", "testdata/bad_rows.csv"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("facture,client,date,montant\n\"A\"\"1\",\"X\nY\",01/02/03,\"1 000,5\"\n"))
	f.Add([]byte("invoice_number\tclient_id\tissue_date\tamount\tpaid\tkind\tapplies_to\nA\tB\t2025-02-29\t-0,00\t\tavoir\tA\n"))
	f.Add([]byte("\xef\xbb\xbfN\xb0 facture;client;date;montant\n\xe9;\xe9;1/1/25;(12,00)\n"))
	f.Fuzz(func(t *testing.T, data []byte) { parseAll(t, "fuzz.csv", data) })
}

func FuzzFEC(f *testing.F) {
	data, err := os.ReadFile("testdata/fec_small.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("JournalCode|EcritureNum|EcritureDate|CompteNum|CompAuxNum|PieceRef|PieceDate|Montant|Sens|EcritureLet|DateLet\n" +
		"VE|1|20250101|411000|C1|F1|20250101|100,00|D||\nVE|2|20250102|411000|C1|F1|20250102|30,00|C|A|20990101\n"))
	f.Add([]byte("JournalCode\tEcritureNum\tCompteNum\tPieceRef\tPieceDate\tDebit\tCredit\tEcritureLet\n\t\t411\t\t2025\t1,2,3\tx\t\n"))
	f.Fuzz(func(t *testing.T, data []byte) { parseAll(t, "fuzz.txt", data) })
}

// FuzzPlainAmount checks that the fast path agrees with money.Parse.
func FuzzPlainAmount(f *testing.F) {
	for _, s := range []string{"1234,56", "-80.5", "1200", "0,01", "1,234", "1.2.3", ",5", "-", "12,", "007,10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := plainAmount(s)
		if !ok {
			return
		}
		slow, err := money.Parse(s)
		if err != nil || int64(slow) != fast {
			t.Fatalf("plainAmount(%q) = %d, money.Parse = %d, %v", s, fast, slow, err)
		}
	})
}
