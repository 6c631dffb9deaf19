package provision

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relance/relance/internal/money"
)

// ListOptions shape the listing of proposals.
type ListOptions struct {
	Locale string // fr or en
	// AsOf is the day of the listing, printed in its title.
	AsOf time.Time
	// BucketLabel names a bucket for people ("121 j et +"); nil prints the
	// bucket's code.
	BucketLabel func(bucket string) string
	// DefaultVATBP is the VAT rate assumed for invoices imported without
	// their amount excl. VAT: the listing says so where it applies.
	DefaultVATBP int
}

func (o ListOptions) bucket(b string) string {
	if o.BucketLabel == nil {
		return b
	}
	return o.BucketLabel(b)
}

// listWording is the fixed text of the listing in one language.
type listWording struct {
	header                                  []string
	imported, assumed, yes, no, age, insolv string
	total, none, footnote                   string
	sheet                                   string
	date                                    func(time.Time) string
}

var frenchList = listWording{
	header: []string{"Client", "Nom", "Facture", "Échéance", "Retard (j)", "Tranche", "Reste dû TTC", "Reste dû HT",
		"HT d'après", "Taux", "Provision", "Motif", "Déductible", "Proposée le"},
	imported: "import", assumed: "TVA %s", yes: "oui", no: "non", age: "ancienneté", insolv: "procédure collective",
	total: "Total %s : %d provisions, %s dont %s déductibles", none: "Aucune provision au %s.",
	footnote: "« TVA %s » : montant HT calculé au taux de TVA par défaut (provision.default_vat_rate), l'import n'ayant pas donné le montant HT.",
	sheet:    "Provisions",
	date:     func(t time.Time) string { return t.Format("02/01/2006") },
}

var englishList = listWording{
	header: []string{"Client", "Name", "Invoice", "Due date", "Days late", "Bucket", "Outstanding incl. VAT",
		"Outstanding excl. VAT", "Excl. VAT from", "Rate", "Provision", "Cause", "Tax-deductible", "Proposed on"},
	imported: "import", assumed: "VAT %s", yes: "yes", no: "no", age: "age", insolv: "insolvency",
	total: "Total %s: %d provisions, %s of which %s tax-deductible", none: "No provision on %s.",
	footnote: "\"VAT %s\": amount excl. VAT computed at the default VAT rate (provision.default_vat_rate), the import having given none.",
	sheet:    "Provisions",
	date:     func(t time.Time) string { return t.Format(time.DateOnly) },
}

func listWordingFor(locale string) listWording {
	if strings.HasPrefix(locale, "en") {
		return englishList
	}
	return frenchList
}

func (w listWording) cause(c string) string {
	if c == CauseInsolvency {
		return w.insolv
	}
	return w.age
}

func (w listWording) yesNo(b bool) string {
	if b {
		return w.yes
	}
	return w.no
}

// WriteProposalsTable writes proposals as aligned columns in the locale's
// words and numbers, with the totals of each currency and, when an amount
// excl. VAT was assumed, the default VAT rate it assumed.
func WriteProposalsTable(out io.Writer, ps []Proposal, o ListOptions) error {
	w := listWordingFor(o.Locale)
	if len(ps) == 0 {
		_, err := fmt.Fprintf(out, w.none+"\n", w.date(o.AsOf))
		return err
	}
	vat := money.FormatRate(o.DefaultVATBP, o.Locale)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(w.header, "\t")))
	assumed := false
	for _, p := range ps {
		from := w.imported
		if !p.VATImported {
			from, assumed = fmt.Sprintf(w.assumed, vat), true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Client, p.ClientName, p.Invoice,
			w.date(p.Due), p.DaysLate, o.bucket(p.Bucket), money.Format(p.Outstanding, p.Currency, o.Locale),
			money.Format(p.OutstandingExcl, p.Currency, o.Locale), from, money.FormatRate(p.RateBP, o.Locale),
			money.Format(p.Amount, p.Currency, o.Locale), w.cause(p.Cause), w.yesNo(p.TaxDeductible), w.date(p.ProposedOn))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, t := range totals(ps) {
		fmt.Fprintf(out, w.total+"\n", t.currency, t.count, money.Format(t.amount, t.currency, o.Locale),
			money.Format(t.deductible, t.currency, o.Locale))
	}
	if assumed {
		fmt.Fprintf(out, w.footnote+"\n", vat)
	}
	return nil
}

type currencyTotal struct {
	currency           string
	count              int
	amount, deductible money.Amount
}

func totals(ps []Proposal) []currencyTotal {
	by := map[string]*currencyTotal{}
	for _, p := range ps {
		t := by[p.Currency]
		if t == nil {
			t = &currencyTotal{currency: p.Currency}
			by[p.Currency] = t
		}
		t.count++
		t.amount += p.Amount
		if p.TaxDeductible {
			t.deductible += p.Amount
		}
	}
	out := make([]currencyTotal, 0, len(by))
	for _, t := range by {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].currency < out[j].currency })
	return out
}

// ProposalsCSVHeader is the header of `relance provisions --format csv`:
// amounts in major units with a '.', rate a percentage with two decimals,
// excl_vat_from "import" or "default" (the default VAT rate, in
// default_vat_rate on the same row), tax_deductible yes or no.
var ProposalsCSVHeader = []string{"client_id", "client_name", "invoice", "issue_date", "due_date", "days_late", "bucket",
	"profile", "cause", "currency", "outstanding_incl_vat", "outstanding_excl_vat", "excl_vat_from", "default_vat_rate",
	"rate", "amount", "tax_deductible", "proposed_on"}

// WriteProposalsCSV writes proposals as CSV (UTF-8, comma-separated).
func WriteProposalsCSV(out io.Writer, ps []Proposal, o ListOptions) error {
	cw := csv.NewWriter(out)
	if err := cw.Write(ProposalsCSVHeader); err != nil {
		return err
	}
	for _, p := range ps {
		from, vat := "import", ""
		if !p.VATImported {
			from, vat = "default", plainRate(o.DefaultVATBP)
		}
		yes := "no"
		if p.TaxDeductible {
			yes = "yes"
		}
		if err := cw.Write([]string{p.Client, p.ClientName, p.Invoice, p.Issued.Format(time.DateOnly), p.Due.Format(time.DateOnly),
			strconv.Itoa(p.DaysLate), p.Bucket, p.Profile, p.Cause, p.Currency, money.FormatPlain(p.Outstanding),
			money.FormatPlain(p.OutstandingExcl), from, vat, plainRate(p.RateBP), money.FormatPlain(p.Amount), yes,
			p.ProposedOn.Format(time.DateOnly)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// plainRate writes basis points as a percentage with two decimals: "100.00".
func plainRate(bp int) string { return fmt.Sprintf("%d.%02d", bp/100, bp%100) }

// WriteProposalsXLSX writes proposals as an Excel workbook: one sheet, the
// locale's headings, real numbers, dates and percentages, and a total row
// per currency.
func WriteProposalsXLSX(out io.Writer, ps []Proposal, o ListOptions) error {
	w := listWordingFor(o.Locale)
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", w.sheet); err != nil {
		return err
	}
	amountFmt, rateFmt := "#,##0.00;-#,##0.00", "0.00%"
	styles := map[string]*excelize.Style{
		"header": {Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}},
		"amount": {CustomNumFmt: &amountFmt}, "rate": {CustomNumFmt: &rateFmt}, "date": {NumFmt: 14},
		"total": {CustomNumFmt: &amountFmt, Font: &excelize.Font{Bold: true}},
	}
	id := map[string]int{}
	for name, s := range styles {
		n, err := f.NewStyle(s)
		if err != nil {
			return fmt.Errorf("xlsx style: %w", err)
		}
		id[name] = n
	}
	sw, err := f.NewStreamWriter(w.sheet)
	if err != nil {
		return err
	}
	head := make([]any, len(w.header))
	for i, h := range w.header {
		head[i] = excelize.Cell{StyleID: id["header"], Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	vat := money.FormatRate(o.DefaultVATBP, o.Locale)
	row := 1
	put := func(vals []any) error {
		row++
		c, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(c, vals)
	}
	cellOf := func(style string, v any) excelize.Cell { return excelize.Cell{StyleID: id[style], Value: v} }
	for _, p := range ps {
		from := w.imported
		if !p.VATImported {
			from = fmt.Sprintf(w.assumed, vat)
		}
		if err := put([]any{p.Client, p.ClientName, p.Invoice, cellOf("date", p.Due), p.DaysLate, o.bucket(p.Bucket),
			cellOf("amount", p.Outstanding.Major()), cellOf("amount", p.OutstandingExcl.Major()), from,
			cellOf("rate", float64(p.RateBP)/10000), cellOf("amount", p.Amount.Major()), w.cause(p.Cause),
			w.yesNo(p.TaxDeductible), cellOf("date", p.ProposedOn)}); err != nil {
			return err
		}
	}
	for _, t := range totals(ps) {
		if err := put([]any{"TOTAL", t.currency, "", "", "", "", "", "", "", "", cellOf("total", t.amount.Major())}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(out)
	return err
}
