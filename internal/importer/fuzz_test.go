package importer

import (
	"bytes"
	"io"
	"net/mail"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/relance/relance/internal/ledger"
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
	err = rd.produce(func(r *ledger.BatchInvoice) bool {
		switch {
		case r.Number == "" || r.ClientCode == "":
			t.Fatalf("line %d: row without number or client: %+v", r.Line, r)
		case r.Issued.IsZero() || r.Due.IsZero():
			t.Fatalf("line %d: bad dates %v %v", r.Line, r.Issued, r.Due)
		case (r.Kind == "credit_note") != (r.Amount < 0) && r.Amount != 0:
			t.Fatalf("line %d: kind %s with amount %d", r.Line, r.Kind, r.Amount)
		case r.Paid != nil && (*r.Paid < 0 || *r.Paid > r.Amount):
			t.Fatalf("line %d: paid %d of %d", r.Line, *r.Paid, r.Amount)
		}
		checkClean(t, r)
		return true
	})
	if err != nil && len(err.Error()) > 2000 {
		t.Fatalf("an error of %d bytes: %.200s", len(err.Error()), err)
	}
	if err != nil && errs.total > 0 {
		t.Fatalf("both a fatal error and row errors: %v", err)
	}
	for _, e := range errs.kept {
		if e.Line < 1 || e.Reason == "" {
			t.Fatalf("row error without a place or reason: %+v", e)
		}
		if len(e.Error()) > 1000 {
			t.Fatalf("a row error of %d bytes: %.200s", len(e.Error()), e.Error())
		}
	}
	for _, w := range res.Warnings {
		if len(w) > 2000 {
			t.Fatalf("a warning of %d bytes: %.200s", len(w), w)
		}
	}
}

// checkClean fails when an emitted row holds a control or invisible
// character, a cell over MaxCellChars, or an address net/mail refuses.
func checkClean(t *testing.T, r *ledger.BatchInvoice) {
	c := &r.Client
	texts := []*string{&r.Number, &r.ClientCode, c.Name, r.Terms, r.AppliesTo, c.Locale, c.Profile,
		c.Segment, c.Country, c.Line1, c.Line2, c.Postcode, c.City, c.Contact, c.Phone, c.SIREN, c.SIRET, c.VAT}
	for _, list := range []*[]string{c.Emails, c.CC} {
		if list == nil {
			continue
		}
		for i := range *list {
			if _, err := mail.ParseAddress((*list)[i]); err != nil {
				t.Fatalf("line %d: emitted address %q: %v", r.Line, (*list)[i], err)
			}
			texts = append(texts, &(*list)[i])
		}
	}
	for _, p := range texts {
		if p == nil {
			continue
		}
		if utf8.RuneCountInString(*p) > MaxCellChars {
			t.Fatalf("line %d: a value of %d characters", r.Line, utf8.RuneCountInString(*p))
		}
		for _, c := range *p {
			if unicode.Is(unicode.Cc, c) || (unicode.Is(unicode.Cf, c) && c != 0x200c && c != 0x200d) {
				t.Fatalf("line %d: value %q holds %U", r.Line, *p, c)
			}
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
	for _, seed := range hostileCSVSeeds() {
		f.Add([]byte(seed))
	}
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
	const head = "JournalCode|EcritureNum|EcritureDate|CompteNum|CompAuxNum|CompAuxLib|PieceRef|PieceDate|Debit|Credit|EcritureLet\n"
	f.Add([]byte(head + "VE|1|20250101|411000|C1|Evil\u202eSA\x00|F-1\u200e|20250101|100,00|0,00|\n"))
	f.Add([]byte(head + "VE|1|20250101|411000|C1|<b>x</b>|F1|20250101|" + strings.Repeat("9", 50000) + "|0|\n"))
	f.Add([]byte(head + "VE|1|20250101|411000|C1|Dupont|F1|20250101|" + strings.Repeat("A", 1<<20+10) + "|0|\n"))
	f.Fuzz(func(t *testing.T, data []byte) { parseAll(t, "fuzz.txt", data) })
}

// hostileCSVSeeds are the hostile inputs of issue 10 as fuzz seeds: header
// injection, HTML and bidi marks, oversized cells and lines.
func hostileCSVSeeds() []string {
	const head = "invoice_number,client_id,client_name,issue_date,amount,email,cc,pays,siren,tva,encours_max\n"
	return []string{
		head + "F1,C1,Dupont,2025-01-15,1.00,\"victim@x.com\r\nBcc: evil@y.com\",,,,,\n",
		head + "\"F-1\r\nBcc: x\",C1,\"Evil\r\nSA\",2025-01-15,1.00,\"a@x.fr; b@x.fr\",\"\\\"A, B\\\" <c@x.fr>\",FR,732829320,FR44732829320,\"1 000,00\"\n",
		head + "F\u202e1,C\u2066,<script>alert(1)</script>,2025-01-15,1.00,,,Allemagne,,,\n",
		head + "F1,C1," + strings.Repeat("é", MaxCellChars+1) + ",2025-01-15,1.00,,,,,,\n",
		head + "F1,C1,\"" + strings.Repeat("A\n", maxCellBytes/2+1) + "\",2025-01-15,1.00,,,,,,\n",
		head + strings.Repeat("x,", maxRecordBytes/2+1) + "\n",
		head + "F1,C1,Dupont,2025-03-01,1.00,,,ZZ,123,200,-5\nF2,C2,Martin,2025-03-01,2.00,,,,,,\n",
	}
}

// FuzzXLSX builds a valid workbook around fuzzed sheet and shared-string
// XML, so that the workbook check, excelize and the row parser see content
// they can read, rather than zips whose checksums fail.
func FuzzXLSX(f *testing.F) {
	f.Add(`<row r="1"><c r="A1" t="inlineStr"><is><t>invoice_number</t></is></c><c r="B1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>issue_date</t></is></c><c r="D1" t="inlineStr"><is><t>amount</t></is></c></row>`+
		`<row r="2"><c r="A2" t="inlineStr"><is><t>F1</t></is></c><c r="B2" t="s"><v>1</v></c><c r="C2"><v>45672</v></c><c r="D2"><v>100.5</v></c></row>`,
		`<si><t>client_name</t></si><si><t>Dupont &amp; Fils</t></si>`)
	f.Add(`<row r="1"><c r="A1" t="inlineStr"><is><t>facture</t></is></c><c r="B1" t="inlineStr"><is><t>client</t></is></c><c r="C1" t="inlineStr"><is><t>date</t></is></c><c r="D1" t="inlineStr"><is><t>montant</t></is></c><c r="E1" t="inlineStr"><is><t>email</t></is></c></row>`+
		`<row r="2"><c r="A2" t="inlineStr"><is><t>F&#x202e;1</t></is></c><c r="B2" t="s"><v>7</v></c><c r="C2" t="inlineStr"><is><t>31/02/2025</t></is></c><c r="D2" t="e"><v>#DIV/0!</v></c><c r="E2" t="inlineStr"><is><t>a@x.fr&#13;&#10;Bcc: e@y.fr</t></is></c></row>`,
		`<si><r><t>a</t></r><r><t>b</t></r></si>`)
	f.Add(`<row r="1048577"><c r="XFE1"/></row><x:row><x:c r="A1"><x:v>1</x:v></x:c></x:row>`, `<si/><si><t xml:space="preserve"> </t></si>`)
	f.Fuzz(func(t *testing.T, sheet, sst string) {
		var buf bytes.Buffer
		if err := writeXLSXTo(&buf, func(w io.Writer) error {
			_, err := io.WriteString(w, sheet)
			return err
		}, func(w io.Writer) error {
			_, err := io.WriteString(w, sst)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		parseAll(t, "fuzz.xlsx", buf.Bytes())
	})
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

// dateParts cuts a date as strings.Split at its first separator did.
func FuzzDateParts(f *testing.F) {
	for _, s := range []string{"10/07/2025", "1-2-25", "2025.07", "a/b/c/d", "//", "x", "1/2-3", "é/é/é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := dateParts(s)
		sep := strings.IndexAny(s, "/-.")
		if sep < 0 {
			if ok {
				t.Fatalf("%q: parts %q without a separator", s, got)
			}
			return
		}
		want := strings.Split(s, s[sep:sep+1])
		if ok != (len(want) == 3) || ok && got != [3]string(want) {
			t.Fatalf("%q: %q %v, strings.Split gives %q", s, got, ok, want)
		}
	})
}
