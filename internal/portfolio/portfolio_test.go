package portfolio

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var exampleAsOf = clock.Date(2025, time.September, 12)

func invoicesCSV(t *testing.T, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Generate(o).WriteInvoicesCSV(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func paymentsCSV(t *testing.T, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Generate(o).WritePaymentsCSV(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readCSV parses a generated file back as the importer would: `;`, UTF-8.
func readCSV(t *testing.T, data []byte) (header []string, rows []map[string]string) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header = recs[0]
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range header {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
	return header, rows
}

func frDate(t *testing.T, line int, s string) time.Time {
	t.Helper()
	d, err := time.Parse("02/01/2006", s)
	if err != nil {
		t.Fatalf("row %d: date %q: %v", line, s, err)
	}
	return d
}

func amount(t *testing.T, line int, col, s string) money.Amount {
	t.Helper()
	if strings.Contains(s, ".") {
		t.Errorf("row %d: %s %q: want a decimal comma", line, col, s)
	}
	a, err := money.Parse(s)
	if err != nil {
		t.Fatalf("row %d: %s: %v", line, col, err)
	}
	return a
}

func TestSameSeedGivesSameBytes(t *testing.T) {
	o := Options{Clients: 300, Invoices: 2000, Seed: 42, AsOf: exampleAsOf}
	a, b := invoicesCSV(t, o), invoicesCSV(t, o)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same options wrote different invoice files")
	}
	if !bytes.Equal(paymentsCSV(t, o), paymentsCSV(t, o)) {
		t.Fatal("two runs with the same options wrote different payment files")
	}
	o.Seed = 43
	if bytes.Equal(a, invoicesCSV(t, o)) {
		t.Fatal("seeds 42 and 43 wrote the same file")
	}
	o.Seed = 42
	o.AsOf = exampleAsOf.AddDate(0, 0, 1)
	if bytes.Equal(a, invoicesCSV(t, o)) {
		t.Fatal("a different as-of date wrote the same file")
	}
}

func TestZeroAsOfIsTheFixedDefault(t *testing.T) {
	a := invoicesCSV(t, Options{Clients: 10, Invoices: 50, Seed: 1})
	b := invoicesCSV(t, Options{Clients: 10, Invoices: 50, Seed: 1, AsOf: DefaultAsOf()})
	if !bytes.Equal(a, b) {
		t.Fatal("zero AsOf is not DefaultAsOf()")
	}
}

func TestValidSIREN(t *testing.T) {
	for _, tc := range []struct {
		siren string
		valid bool
	}{
		{"732829320", true},  // L'Oréal
		{"552032534", true},  // Danone
		{"542051180", true},  // TotalEnergies
		{"552081317", true},  // EDF
		{"732829321", false}, // last digit changed
		{"732829302", false}, // two digits swapped
		{"73282932", false},  // eight digits
		{"7328293200", false},
		{"73282932A", false},
		{"", false},
		{"000000000", true}, // Luhn-valid, although INSEE never assigns it
	} {
		if got := ValidSIREN(tc.siren); got != tc.valid {
			t.Errorf("ValidSIREN(%q) = %v, want %v", tc.siren, got, tc.valid)
		}
	}
}

func TestEveryClientHasAPlausibleIdentity(t *testing.T) {
	p := Generate(Options{Clients: 2000, Invoices: 2000, Seed: 5, AsOf: exampleAsOf})
	forms := map[string]int{}
	sirens, names := map[string]bool{}, map[string]int{}
	var foreign, n int
	for c := range p.Clients() {
		n++
		if c.Locale == "en" {
			foreign++
			if c.SIREN != "" || c.Country == "FR" {
				t.Errorf("%s: foreign client with SIREN %q, country %s", c.Code, c.SIREN, c.Country)
			}
		} else {
			if !ValidSIREN(c.SIREN) {
				t.Errorf("%s: SIREN %q fails the Luhn check", c.Code, c.SIREN)
			}
			if sirens[c.SIREN] {
				t.Errorf("%s: SIREN %s given twice", c.Code, c.SIREN)
			}
			sirens[c.SIREN] = true
			if c.Locale != "fr" || c.Country != "FR" || len(c.Postcode) != 5 {
				t.Errorf("%s: French client with locale %q, country %q, postcode %q", c.Code, c.Locale, c.Country, c.Postcode)
			}
			forms[c.Name[strings.LastIndexByte(c.Name, ' ')+1:]]++
		}
		names[c.Name]++
		if c.Street == "" || c.City == "" || !strings.Contains(c.Email, "@") || strings.ContainsAny(c.Email, " éèàç'&") {
			t.Errorf("%s: incomplete address or bad email: %+v", c.Code, c)
		}
	}
	if n != 2000 {
		t.Fatalf("%d clients, want 2000", n)
	}
	for _, f := range []string{"SAS", "SARL", "SA", "SASU", "EURL"} {
		if forms[f] == 0 {
			t.Errorf("no French client is a %s: %v", f, forms)
		}
	}
	if len(names) < 1900 {
		t.Errorf("only %d distinct names among 2000 clients", len(names))
	}
	if foreign < 120 || foreign > 280 {
		t.Errorf("%d foreign clients out of 2000, want about 10%%", foreign)
	}
}

func TestRowsHonourTheImportContract(t *testing.T) {
	o := Options{Clients: 400, Invoices: 5000, Seed: 9, AsOf: exampleAsOf}
	header, rows := readCSV(t, invoicesCSV(t, o))
	if got := strings.Join(header, ";"); got != strings.Join(invoicesHeader, ";") {
		t.Fatalf("header %q", got)
	}
	if len(rows) != o.Invoices {
		t.Fatalf("%d rows, want exactly %d", len(rows), o.Invoices)
	}
	clients := map[string]bool{}
	for _, row := range rows {
		clients[row["code_client"]] = true
	}
	if len(clients) != o.Clients {
		t.Errorf("%d clients in the file, want all %d", len(clients), o.Clients)
	}
	oldest := exampleAsOf.AddDate(0, -18, 0).AddDate(0, 0, -2)
	invoiceOf := map[string]map[string]string{} // number → row, invoices seen so far
	var credits, partial, inBand, over int
	for i, row := range rows {
		line := i + 2
		issue, due := frDate(t, line, row["date_facture"]), frDate(t, line, row["date_echeance"])
		if issue.Before(oldest) || issue.After(exampleAsOf) {
			t.Errorf("line %d: issued %s, outside the 18 months before the as-of date", line, issue.Format(time.DateOnly))
		}
		if wd := issue.Weekday(); row["type"] == "facture" && (wd == time.Saturday || wd == time.Sunday) {
			t.Errorf("line %d: invoice issued on a %s", line, wd)
		}
		terms, err := ledger.ParseTerms(row["delai_paiement"])
		if err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		if want := terms.DueDate(issue, ledger.DaysThenEOM); !due.Equal(want) {
			t.Errorf("line %d: due %s, want %s from %q", line, due.Format(time.DateOnly), want.Format(time.DateOnly), row["delai_paiement"])
		}
		ttc := amount(t, line, "montant_ttc", row["montant_ttc"])
		ht := amount(t, line, "montant_ht", row["montant_ht"])
		paid := amount(t, line, "montant_regle", row["montant_regle"])
		if d := ht*12/10 - ttc; d < -1 || d > 1 {
			t.Errorf("line %d: HT %v × 1.2 is %v cents away from TTC %v", line, ht, d, ttc)
		}
		if row["devise"] != "EUR" || row["code_client"] == "" || row["raison_sociale"] == "" || row["email"] == "" {
			t.Errorf("line %d: incomplete row %v", line, row)
		}
		switch row["type"] {
		case "facture":
			if ttc <= 0 || paid < 0 || paid >= ttc || row["facture_origine"] != "" {
				t.Errorf("line %d: invoice with TTC %v, paid %v, origin %q", line, ttc, paid, row["facture_origine"])
			}
			if paid > 0 {
				partial++
			}
			if ttc >= 200_00 && ttc <= 20_000_00 {
				inBand++
			}
			if ttc > 150_000_00 {
				over++
			}
			invoiceOf[row["numero_facture"]] = row
		case "avoir":
			credits++
			target, ok := invoiceOf[row["facture_origine"]]
			if ttc >= 0 || paid != 0 || !ok || target["code_client"] != row["code_client"] {
				t.Errorf("line %d: credit note %v, paid %v, applies to %q (known: %v)", line, ttc, paid, row["facture_origine"], ok)
				continue
			}
			owed := amount(t, line, "", target["montant_ttc"]) - amount(t, line, "", target["montant_regle"])
			if -ttc > owed {
				t.Errorf("line %d: credit note %v exceeds the %v still owed on %s", line, ttc, owed, row["facture_origine"])
			}
			if frDate(t, line, target["date_facture"]).After(issue) {
				t.Errorf("line %d: credit note issued before its invoice", line)
			}
		default:
			t.Errorf("line %d: type %q", line, row["type"])
		}
		switch row["profil"] {
		case "standard", "key_account", "risky":
		default:
			t.Errorf("line %d: profile %q", line, row["profil"])
		}
	}
	if len(invoiceOf)+credits != len(rows) {
		t.Errorf("invoice numbers are not unique")
	}
	if credits < 50 || credits > 300 {
		t.Errorf("%d credit notes in %d rows, want a few percent", credits, len(rows))
	}
	if partial < 100 {
		t.Errorf("only %d partly paid invoices", partial)
	}
	if share := inBand * 100 / len(invoiceOf); share < 70 {
		t.Errorf("%d%% of invoices between 200 and 20,000 €, want most", share)
	}
	if over > 0 {
		t.Errorf("%d invoices above 150,000 €", over)
	}
}

func TestPaymentsDateThePaidAmounts(t *testing.T) {
	o := Options{Clients: 300, Invoices: 3000, Seed: 11, AsOf: exampleAsOf}
	_, invoices := readCSV(t, invoicesCSV(t, o))
	header, payments := readCSV(t, paymentsCSV(t, o))
	if got := strings.Join(header, ";"); got != "numero_facture;date_paiement;montant;reference" {
		t.Fatalf("header %q", got)
	}
	sum := map[string]money.Amount{}
	issued := map[string]time.Time{}
	for i, row := range invoices {
		issued[row["numero_facture"]] = frDate(t, i+2, row["date_facture"])
	}
	for i, row := range payments {
		line := i + 2
		a := amount(t, line, "montant", row["montant"])
		d := frDate(t, line, row["date_paiement"])
		issue, ok := issued[row["numero_facture"]]
		if !ok || a <= 0 || d.After(exampleAsOf) || !d.After(issue) || row["reference"] == "" {
			t.Errorf("line %d: payment %v on %s for %q (known %v, issued %s)", line, a, d.Format(time.DateOnly), row["numero_facture"], ok, issue.Format(time.DateOnly))
		}
		sum[row["numero_facture"]] += a
	}
	for i, row := range invoices {
		if paid := amount(t, i+2, "montant_regle", row["montant_regle"]); sum[row["numero_facture"]] != paid {
			t.Errorf("%s: payments add up to %v, montant_regle is %v", row["numero_facture"], sum[row["numero_facture"]], paid)
		}
	}
	if len(payments) == 0 {
		t.Fatal("no payment at all")
	}
}

func TestPayerTypeShowsInTheOverdueShare(t *testing.T) {
	p := Generate(Options{Clients: 3000, Invoices: 30000, Seed: 3, AsOf: exampleAsOf})
	var items, overdue, veryLate [4]int
	for acc := range p.Accounts() {
		for _, it := range acc.Items {
			if it.Kind != Invoice {
				continue
			}
			items[acc.Client.Payer]++
			late := clock.DaysBetween(it.Due, exampleAsOf)
			if late > 0 {
				overdue[acc.Client.Payer]++
			}
			if late > 90 {
				veryLate[acc.Client.Payer]++
			}
		}
	}
	share := func(n, of [4]int, p PayerType) int { return n[p] * 100 / max(of[p], 1) }
	for p := OnTime; p < Failing; p++ {
		if share(overdue, items, p) >= share(overdue, items, p+1) {
			t.Errorf("overdue share: %s %d%% ≥ %s %d%%", p, share(overdue, items, p), p+1, share(overdue, items, p+1))
		}
	}
	if s := share(overdue, items, OnTime); s > 35 {
		t.Errorf("on-time payers have %d%% of their open items overdue", s)
	}
	if s := share(veryLate, items, Failing); s < 30 {
		t.Errorf("failing payers have only %d%% of their open items over 90 days late", s)
	}
	t.Logf("overdue share by payer type: on time %d%%, slightly late %d%%, chronic %d%%, failing %d%%",
		share(overdue, items, OnTime), share(overdue, items, SlightlyLate), share(overdue, items, ChronicLate), share(overdue, items, Failing))
}

func TestDisputesNameOpenInvoices(t *testing.T) {
	p := Generate(Options{Clients: 500, Invoices: 5000, Seed: 2, AsOf: exampleAsOf})
	invoices := map[string]Item{}
	for acc := range p.Accounts() {
		for _, it := range acc.Items {
			invoices[it.Number] = it
		}
	}
	disputes := p.Disputes()
	if len(disputes) < 20 {
		t.Fatalf("%d disputes in 5000 items, want a few", len(disputes))
	}
	for _, d := range disputes {
		it, ok := invoices[d.Invoice]
		if !ok || it.Kind != Invoice || d.Reason == "" || d.Opened.Before(it.Issue) || d.Opened.After(exampleAsOf) {
			t.Errorf("dispute %+v on %+v", d, it)
		}
	}
}

func TestRowCountIsExactAtTheEdges(t *testing.T) {
	for _, o := range []Options{
		{Clients: 1, Invoices: 0},
		{Clients: 1, Invoices: 1},
		{Clients: 1, Invoices: 500},
		{Clients: 1000, Invoices: 10},
		{Clients: 0, Invoices: -3},
	} {
		_, rows := readCSV(t, invoicesCSV(t, o))
		if len(rows) != max(o.Invoices, 0) {
			t.Errorf("%+v: %d rows", o, len(rows))
		}
	}
}

func TestTermsChoicesParseBack(t *testing.T) {
	for _, c := range termsChoices {
		got, err := ledger.ParseTerms(c.text)
		if err != nil || got != c.terms {
			t.Errorf("ParseTerms(%q) = %+v, %v; want %+v", c.text, got, err, c.terms)
		}
	}
	if got, err := ledger.ParseTerms(creditNoteTerms); err != nil || got != (ledger.Terms{}) {
		t.Errorf("ParseTerms(%q) = %+v, %v", creditNoteTerms, got, err)
	}
}

func TestExclVAT(t *testing.T) {
	for _, tc := range []struct{ ttc, ht money.Amount }{
		{120_00, 100_00},
		{1, 1},   // 0.83 cent rounds up
		{5, 4},   // 4.17
		{3, 3},   // 2.5 rounds half away from zero
		{-3, -3}, // and symmetrically
		{-120_00, -100_00},
		{0, 0},
		{15_000_000_00, 12_500_000_00},
	} {
		if got := exclVAT(tc.ttc); got != tc.ht {
			t.Errorf("exclVAT(%d) = %d, want %d", tc.ttc, got, tc.ht)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Atelier du Rhône":            "atelier-du-rhone",
		"Bureau d'études Noël":        "bureau-d-etudes-noel",
		"Dupont et fils":              "dupont-et-fils",
		"Électricité de l'Atlantique": "electricite-de-l-atlantique",
		"O'Connor Foods":              "o-connor-foods",
		"Œuvres Müller & Sœur":        "oeuvres-muller-soeur",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFrenchFormats(t *testing.T) {
	if got := string(appendDate(nil, clock.Date(2025, time.March, 7))); got != "07/03/2025" {
		t.Errorf("appendDate = %q", got)
	}
	for a, want := range map[money.Amount]string{-123456: "-1234,56", 5: "0,05", -7: "-0,07", 0: "0,00", 100: "1,00"} {
		if got := string(appendAmount(nil, a)); got != want {
			t.Errorf("appendAmount(%d) = %q, want %q", a, got, want)
		}
	}
	if got := string(appendRecord(nil, "a;b", `say "hi"`, "plain")); got != "\"a;b\";\"say \"\"hi\"\"\";plain\n" {
		t.Errorf("appendRecord = %q", got)
	}
}

// TestGoldenHead pins the first lines of a fixed portfolio, so that any
// change to what the generator draws is a visible diff (run with -update to
// accept it, and regenerate examples/ too).
func TestGoldenHead(t *testing.T) {
	data := invoicesCSV(t, Options{Clients: 40, Invoices: 200, Seed: 34, AsOf: exampleAsOf})
	lines := strings.SplitAfter(string(data), "\n")
	head := strings.Join(lines[:10], "")
	path := filepath.Join("testdata", "head.golden")
	if *update {
		if err := os.WriteFile(path, []byte(head), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if head != string(want) {
		t.Errorf("first lines changed (go test -update to accept):\ngot:\n%s\nwant:\n%s", head, want)
	}
}

func BenchmarkWriteInvoicesCSV(b *testing.B) {
	p := Generate(Options{Clients: 10_000, Invoices: 100_000, Seed: 1, AsOf: exampleAsOf})
	var n countingWriter
	for b.Loop() {
		if err := p.WriteInvoicesCSV(&n); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

func TestWriteCSVInOnePassGivesTheSameFiles(t *testing.T) {
	o := Options{Clients: 200, Invoices: 1500, Seed: 21, AsOf: exampleAsOf}
	var inv, pay bytes.Buffer
	if err := Generate(o).WriteCSV(&inv, &pay); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(inv.Bytes(), invoicesCSV(t, o)) || !bytes.Equal(pay.Bytes(), paymentsCSV(t, o)) {
		t.Fatal("WriteCSV differs from WriteInvoicesCSV and WritePaymentsCSV")
	}
}

type failingWriter struct{ after int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after -= len(p); f.after < 0 {
		return 0, os.ErrClosed
	}
	return len(p), nil
}

func TestWriteErrorsAreReturned(t *testing.T) {
	p := Generate(Options{Clients: 100, Invoices: 5000, Seed: 1})
	if err := p.WriteInvoicesCSV(&failingWriter{after: 100_000}); err == nil || !strings.Contains(err.Error(), "invoices CSV") {
		t.Errorf("err = %v", err)
	}
	if err := p.WritePaymentsCSV(&failingWriter{}); err == nil || !strings.Contains(err.Error(), "payments CSV") {
		t.Errorf("err = %v", err)
	}
}
