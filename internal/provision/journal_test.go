package provision_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/provision"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// month is a month of entries: a reclassification and provision on
// insolvency (deductible), a reversal after a payment, and a write-off with
// its provision reversed.
func month() []provision.Entry {
	return []provision.Entry{
		{ID: 1, Day: day("2025-11-05"), Kind: provision.Reversal, Cause: provision.CauseSettled, Client: "A", ClientName: "Alpha",
			Invoice: "F-2", Issued: day("2025-05-10"), Currency: "EUR", Amount: 100000, Base: 100000, RateBP: 10000},
		{ID: 2, Day: day("2025-11-13"), Kind: provision.Reclassification, Cause: provision.CauseInsolvency, Client: "B",
			ClientName: "Bêta | Fils", Invoice: "F-1", Issued: day("2025-06-15"), Currency: "EUR", Amount: 1200000},
		{ID: 3, Day: day("2025-11-13"), Kind: provision.Provision, Cause: provision.CauseInsolvency, Client: "B",
			ClientName: "Bêta | Fils", Invoice: "F-1", Issued: day("2025-06-15"), Currency: "EUR", Amount: 1000000,
			Base: 1000000, RateBP: 10000, TaxDeductible: true},
		{ID: 5, Day: day("2025-11-20"), Kind: provision.Reversal, Cause: provision.CauseWriteOff, Client: "A", ClientName: "Alpha",
			Invoice: "F-3", Issued: day("2025-05-05"), Currency: "EUR", Amount: 500000},
		{ID: 4, Day: day("2025-11-20"), Kind: provision.WriteOff, Cause: provision.CauseWriteOff, Client: "A", ClientName: "Alpha",
			Invoice: "F-3", Issued: day("2025-05-05"), Currency: "EUR", Amount: 600000, VAT: 100000, Doubtful: true},
		{ID: 6, Day: day("2025-11-28"), Kind: provision.WriteOff, Cause: provision.CauseWriteOff, Client: "A", ClientName: "Alpha",
			Invoice: "F-4", Issued: day("2025-04-01"), Currency: "EUR", Amount: 12345},
	}
}

// TestLinesOfEachEntry checks every line of a month against a table worked
// out by hand, and that each entry and the month balance.
func TestLinesOfEachEntry(t *testing.T) {
	lines := provision.Lines(month(), provision.DefaultAccounts(), "fr")
	want := []string{
		"1 491 - D1000.00 C0.00 no",
		"1 7817 - D0.00 C1000.00 no",
		"2 416 B D12000.00 C0.00 ",
		"2 411 B D0.00 C12000.00 ",
		"3 6817 - D10000.00 C0.00 yes",
		"3 491 - D0.00 C10000.00 yes",
		"4 491 - D5000.00 C0.00 no",
		"4 7817 - D0.00 C5000.00 no",
		"5 654 - D5000.00 C0.00 ",   // the loss excl. VAT
		"5 44571 - D1000.00 C0.00 ", // the VAT recovered
		"5 416 A D0.00 C6000.00 ",   // reclassified: out of 416
		"6 654 - D123.45 C0.00 ",    // no VAT recovered: the whole unpaid amount is the loss
		"6 411 A D0.00 C123.45 ",    // never reclassified: out of 411
	}
	var got []string
	debit, credit := map[int]money.Amount{}, map[int]money.Amount{}
	for _, l := range lines {
		aux := l.Aux
		if aux == "" {
			aux = "-"
		}
		got = append(got, fmt.Sprintf("%d %s %s D%s C%s %s", l.Entry, l.Account, aux, money.FormatPlain(l.Debit),
			money.FormatPlain(l.Credit), l.Deductible))
		debit[l.Entry] += l.Debit
		credit[l.Entry] += l.Credit
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for n := range debit {
		if debit[n] != credit[n] {
			t.Errorf("entry %d: debits %d, credits %d", n, debit[n], credit[n])
		}
	}
	if b := provision.Balance(lines); len(b) != 1 || b[0].Debit != b[0].Credit || b[0].Debit != 3412345 {
		t.Errorf("balance %+v, want 34,123.45 each side", b)
	}
}

// A chart with longer account numbers is used as configured.
func TestLinesOnAnotherChart(t *testing.T) {
	a := provision.DefaultAccounts()
	a.Receivable, a.Doubtful, a.Journal = "41100000", "41600000", "ODP"
	lines := provision.Lines(month()[1:2], a, "en")
	if lines[0].Account != "41600000" || lines[0].AccountLabel != "Doubtful receivables" || lines[1].Account != "41100000" ||
		lines[0].Label != "Reclassified as doubtful F-1 Bêta | Fils (insolvency proceeding)" {
		t.Errorf("lines %+v", lines)
	}
	if err := a.Check(); err != nil {
		t.Error(err)
	}
	a.VAT = a.Loss
	if err := a.Check(); err == nil || !strings.Contains(err.Error(), "accounts.vat: 654 is already accounts.loss") {
		t.Errorf("two parts on one account: %v", err)
	}
}

func TestJournalGoldenFiles(t *testing.T) {
	lines := provision.Lines(month(), provision.DefaultAccounts(), "fr")
	var fec, csv bytes.Buffer
	if err := provision.WriteFEC(&fec, lines, provision.DefaultAccounts(), "202511"); err != nil {
		t.Fatal(err)
	}
	if err := provision.WriteJournalCSV(&csv, lines, provision.DefaultAccounts()); err != nil {
		t.Fatal(err)
	}
	golden(t, "journal.fec", fec.Bytes())
	golden(t, "journal.csv", csv.Bytes())
	text, err := charmap.ISO8859_15.NewDecoder().Bytes(fec.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(strings.TrimSuffix(string(text), "\r\n"), "\r\n") {
		if n := strings.Count(l, "\t") + 1; n != len(provision.FECColumns) {
			t.Errorf("FEC line %d: %d columns", i+1, n)
		}
		if strings.Contains(l, "|") {
			t.Errorf("FEC line %d keeps a bar: %q", i+1, l)
		}
	}
}

func TestProposalsGoldenFiles(t *testing.T) {
	ps := []provision.Proposal{
		{Client: "A", ClientName: "Alpha", Invoice: "F-2", Issued: day("2025-05-10"), Due: day("2025-06-10"),
			ProposedOn: day("2025-10-09"), Cause: provision.CauseAge, Profile: "standard", Currency: "EUR",
			Outstanding: 120000, OutstandingExcl: 100000, DaysLate: 173, Bucket: "d121_plus", RateBP: 10000, Amount: 100000},
		{Client: "B", ClientName: "Bêta", Invoice: "F-1", Issued: day("2025-08-01"), Due: day("2025-08-31"),
			ProposedOn: day("2025-09-22"), Cause: provision.CauseInsolvency, Currency: "EUR", Outstanding: 600000,
			OutstandingExcl: 500000, VATImported: true, DaysLate: 22, Bucket: "d1_30", RateBP: 10000, Amount: 500000,
			TaxDeductible: true},
	}
	for _, locale := range []string{"fr", "en"} {
		var buf bytes.Buffer
		o := provision.ListOptions{Locale: locale, AsOf: day("2025-11-30"), DefaultVATBP: 2000}
		if err := provision.WriteProposalsTable(&buf, ps, o); err != nil {
			t.Fatal(err)
		}
		golden(t, "proposals."+locale+".txt", buf.Bytes())
	}
	var buf bytes.Buffer
	if err := provision.WriteProposalsCSV(&buf, ps, provision.ListOptions{DefaultVATBP: 2000}); err != nil {
		t.Fatal(err)
	}
	golden(t, "proposals.csv", buf.Bytes())
	buf.Reset()
	if err := provision.WriteProposalsTable(&buf, nil, provision.ListOptions{Locale: "fr", AsOf: day("2025-11-30")}); err != nil ||
		buf.String() != "Aucune provision au 30/11/2025.\n" {
		t.Errorf("no proposals: %q %v", buf.String(), err)
	}
	buf.Reset()
	if err := provision.WriteProposalsXLSX(&buf, ps, provision.ListOptions{Locale: "fr", DefaultVATBP: 2000}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Provisions", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// Real numbers: the amounts add up in Excel; the total row per currency.
	if len(rows) != 4 || rows[0][10] != "Provision" || rows[1][2] != "F-2" || rows[1][8] != "TVA 20,00\u00a0%" ||
		rows[1][10] != "1000" || rows[2][9] != "1" || rows[3][0] != "TOTAL" || rows[3][10] != "6000" {
		t.Errorf("xlsx rows %q", rows)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/provision -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./internal/provision -update and review the diff):\n--- got\n%s", path, got)
	}
}

func ExampleLines() {
	entries := []provision.Entry{{Day: day("2025-11-13"), Kind: provision.Provision, Cause: provision.CauseAge,
		Client: "C042", ClientName: "Boulangerie Martin", Invoice: "F-12", Issued: day("2025-06-15"), Currency: "EUR",
		Amount: 1000000, Base: 1000000, RateBP: 10000}}
	for _, l := range provision.Lines(entries, provision.DefaultAccounts(), "en") {
		fmt.Printf("%s %-5s debit %9s credit %9s  %s\n", l.Day.Format(time.DateOnly), l.Account,
			money.FormatPlain(l.Debit), money.FormatPlain(l.Credit), l.Label)
	}
	// Output:
	// 2025-11-13 6817  debit  10000.00 credit      0.00  Provision F-12 Boulangerie Martin: 100.00% of 10000.00 excl. VAT - not tax-deductible
	// 2025-11-13 491   debit      0.00 credit  10000.00  Provision F-12 Boulangerie Martin: 100.00% of 10000.00 excl. VAT - not tax-deductible
}
