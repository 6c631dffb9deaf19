package aging

import (
	"archive/zip"
	"slices"
	"strconv"
	"strings"

	"bytes"
	"context"
	"flag"
	"github.com/xuri/excelize/v2"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// asOf is the date testdata/portfolio.sql is computed for.
var asOf = clock.Date(2025, 9, 12)

var defaultEdges = []int{30, 60, 90, 120}

// portfolioDB returns a database holding testdata/portfolio.sql, whose
// comments compute every expected figure by hand.
func portfolioDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	db := pgtestNewDB(t)
	sql, err := os.ReadFile("testdata/portfolio.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(context.Background(), string(sql)); err != nil {
		t.Fatalf("portfolio.sql: %v", err)
	}
	return db
}

func pgtestNewDB(t testing.TB) *pgxpool.Pool { return pgtest.NewDB(t) }

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func amounts(cents ...int64) []money.Amount {
	out := make([]money.Amount, len(cents))
	for i, c := range cents {
		out[i] = money.Amount(c)
	}
	return out
}

func TestByClientMatchesTheHandComputedPortfolio(t *testing.T) {
	db := portfolioDB(t)
	rep, err := ByClient(context.Background(), db, Options{AsOf: asOf, Edges: defaultEdges})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		code      string
		buckets   []money.Amount
		unapplied money.Amount
		total     money.Amount
		late      Rate
	}
	wants := map[string][]want{
		"EUR": {
			{"C001", amounts(70000, 250000, 50000, 0, 0, 0), -40000, 330000, 8108},
			{"C002", amounts(0, 0, 60000, 160000, 240000, 150000), 0, 610000, 10000},
			{"TOTAL", amounts(70000, 250000, 110000, 160000, 240000, 150000), -40000, 940000, 9286},
		},
		"GBP": {
			{"C003", amounts(90000, 40000, 0, 0, 0, 0), -40000, 90000, 3077},
			{"TOTAL", amounts(90000, 40000, 0, 0, 0, 0), -40000, 90000, 3077},
		},
	}
	if len(rep.Sections) != 2 {
		t.Fatalf("%d sections, want EUR and GBP", len(rep.Sections))
	}
	for _, s := range rep.Sections {
		rows := append(append([]Row{}, s.Rows...), s.Total)
		w := wants[s.Currency]
		if len(rows) != len(w) {
			t.Fatalf("%s: %d rows, want %d: %+v", s.Currency, len(rows), len(w), rows)
		}
		for i, r := range rows {
			if r.ClientCode != w[i].code || !equal(r.Buckets, w[i].buckets) || r.Unapplied != w[i].unapplied ||
				r.Total() != w[i].total || r.LateRate() != w[i].late {
				t.Errorf("%s row %d = %s %v unapplied %d total %d late %s, want %+v", s.Currency, i, r.ClientCode,
					r.Buckets, r.Unapplied, r.Total(), r.LateRate(), w[i])
			}
		}
	}
}

func equal(a, b []money.Amount) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Before P1 was received (2025-09-05) A1 was open in full, and P1 did not
// exist yet; before GV1's issue date (2025-09-05) it is not in the balance
// either, while P3 (received 2025-09-10) is not yet there.
func TestByClientReplaysAPastDate(t *testing.T) {
	db := portfolioDB(t)
	rep, err := ByClient(context.Background(), db, Options{AsOf: clock.Date(2025, 9, 4), Edges: defaultEdges})
	if err != nil {
		t.Fatal(err)
	}
	var alpha, gamma *Row
	for si := range rep.Sections {
		for ri := range rep.Sections[si].Rows {
			switch r := &rep.Sections[si].Rows[ri]; r.ClientCode {
			case "C001":
				alpha = r
			case "C003":
				gamma = r
			}
		}
	}
	// 2025-09-04: A1 due 09-12 → −8 days, 1,200.00 not due; A2 due 09-11
	// not due, 800.00; A3 due 08-13 → 22 days, 1,700.00; A4 due 08-12 → 23
	// days, 500.00: 1–30 = 2,200.00. Unapplied: AV2 (−150.00, issued 09-01).
	if alpha == nil || !equal(alpha.Buckets, amounts(200000, 220000, 0, 0, 0, 0)) || alpha.Unapplied != -15000 {
		t.Errorf("Alpha at 2025-09-04 = %+v", alpha)
	}
	// G1 1,000.00 not due (GV1 issued 09-05 not yet there), G2 400.00 at 4
	// days; no payment yet.
	if gamma == nil || !equal(gamma.Buckets, amounts(100000, 40000, 0, 0, 0, 0)) || gamma.Unapplied != 0 {
		t.Errorf("Gamma at 2025-09-04 = %+v", gamma)
	}
}

func TestLateRateOfTheDesignExample(t *testing.T) {
	if got := RateOf(380000, 820000).String(); got != "46.34" {
		t.Errorf("3,800.00 of 8,200.00 = %s%%, want 46.34", got)
	}
	if got := RateOf(-1, 3).String(); got != "-33.33" {
		t.Errorf("-1/3 = %s", got)
	}
}

func TestCustomEdgesNameTheColumns(t *testing.T) {
	var names []string
	for _, b := range Buckets([]int{15, 45}) {
		names = append(names, b.Name)
	}
	if got := len(names); got != 4 || names[0] != "not_due" || names[1] != "d1_15" || names[2] != "d16_45" || names[3] != "d46_plus" {
		t.Errorf("names = %v", names)
	}
	for _, c := range []struct{ days, want int }{{-3, 0}, {0, 0}, {1, 1}, {15, 1}, {16, 2}, {45, 2}, {46, 3}} {
		if got := BucketOf(Buckets([]int{15, 45}), c.days); got != c.want {
			t.Errorf("BucketOf(%d) = %d, want %d", c.days, got, c.want)
		}
	}
}

func TestFiltersAndUnknownNames(t *testing.T) {
	db := portfolioDB(t)
	ctx := context.Background()
	rep, err := ByClient(ctx, db, Options{AsOf: asOf, Edges: defaultEdges, Client: "C002"})
	if err != nil || len(rep.Sections) != 1 || len(rep.Sections[0].Rows) != 1 || rep.Sections[0].Total.Total() != 610000 {
		t.Errorf("--client C002: %+v, %v", rep, err)
	}
	rep, err = ByClient(ctx, db, Options{AsOf: asOf, Edges: defaultEdges, Profile: "standard", Entity: "default"})
	if err != nil || len(rep.Sections) != 1 || rep.Sections[0].Rows[0].ClientCode != "C001" {
		t.Errorf("--profile standard: %+v, %v", rep, err)
	}
	if _, err := ByClient(ctx, db, Options{AsOf: asOf, Edges: defaultEdges, Client: "nobody"}); err == nil {
		t.Error("unknown client: no error")
	}
	if _, err := ByClient(ctx, db, Options{AsOf: asOf, Edges: defaultEdges, Entity: "nowhere"}); err == nil {
		t.Error("unknown entity: no error")
	}
}

func report(t *testing.T) Report {
	t.Helper()
	rep, err := ByClient(context.Background(), portfolioDB(t), Options{AsOf: asOf, Edges: defaultEdges})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestCSVGolden(t *testing.T) {
	rep := report(t)
	var b bytes.Buffer
	if err := WriteCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "by_client.csv", b.Bytes())
	b.Reset()
	if err := WriteBucketsCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "by_bucket.csv", b.Bytes())
}

func TestCSVHeaderWithOneCurrencyIsTheContract(t *testing.T) {
	db := portfolioDB(t)
	rep, err := ByClient(context.Background(), db, Options{AsOf: asOf, Edges: defaultEdges, Client: "C001"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	want := "client_id,client_name,not_due,d1_30,d31_60,d61_90,d91_120,d121_plus,overdue,unapplied,total,late_rate\n" +
		"C001,Alpha SARL,700.00,2500.00,500.00,0.00,0.00,0.00,3000.00,-400.00,3300.00,81.08\n" +
		"TOTAL,,700.00,2500.00,500.00,0.00,0.00,0.00,3000.00,-400.00,3300.00,81.08\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func collectItems(t *testing.T, db *pgxpool.Pool, o Options) []Item {
	t.Helper()
	var out []Item
	if err := Items(context.Background(), db, o, nil, func(it Item) error { out = append(out, it); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestItemsCSVGolden(t *testing.T) {
	db := portfolioDB(t)
	var b bytes.Buffer
	w := NewItemCSVWriter(&b)
	if err := Items(context.Background(), db, Options{AsOf: asOf, Edges: defaultEdges}, planSteps(t, asOf), w.Write); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	golden(t, "by_invoice.csv", b.Bytes())
}

// The items add up to the by-client totals, whatever the date.
func TestItemsAddUpToTheBalance(t *testing.T) {
	db := portfolioDB(t)
	for _, d := range []time.Time{asOf, clock.Date(2025, 9, 4), clock.Date(2025, 9, 16), clock.Date(2025, 12, 31)} {
		o := Options{AsOf: d, Edges: defaultEdges}
		rep, err := ByClient(context.Background(), db, o)
		if err != nil {
			t.Fatal(err)
		}
		sum := map[string]money.Amount{}
		for _, it := range collectItems(t, db, o) {
			sum[it.Currency] += it.Open
		}
		for _, s := range rep.Sections {
			if sum[s.Currency] != s.Total.Total() {
				t.Errorf("%s %s: items sum %d, balance total %d", d.Format(time.DateOnly), s.Currency, sum[s.Currency], s.Total.Total())
			}
		}
	}
}

func TestTableAndJSONGolden(t *testing.T) {
	db := portfolioDB(t)
	o := Options{AsOf: asOf, Edges: defaultEdges}
	rep, err := ByClient(context.Background(), db, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, locale := range []string{"fr", "en"} {
		var b bytes.Buffer
		if err := WriteTable(&b, rep, locale); err != nil {
			t.Fatal(err)
		}
		golden(t, "by_client_"+locale+".txt", b.Bytes())
		b.Reset()
		if err := WriteBucketsTable(&b, rep, locale); err != nil {
			t.Fatal(err)
		}
		golden(t, "by_bucket_"+locale+".txt", b.Bytes())
		b.Reset()
		w := NewItemTableWriter(&b, asOf, locale)
		if err := Items(context.Background(), db, o, planSteps(t, asOf), w.Write); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		golden(t, "by_invoice_"+locale+".txt", b.Bytes())
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "by_client.json", b.Bytes())
	b.Reset()
	if err := WriteBucketsJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "by_bucket.json", b.Bytes())
	b.Reset()
	w := NewItemJSONWriter(&b, asOf)
	if err := Items(context.Background(), db, o, planSteps(t, asOf), w.Write); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	golden(t, "by_invoice.json", b.Bytes())
}

func planSteps(t *testing.T, asOf time.Time) PlanNextStep {
	t.Helper()
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	return NewPlanNextStep(set, asOf)
}

func TestXLSXReopensWithNumbersAndAChart(t *testing.T) {
	db := portfolioDB(t)
	o := Options{AsOf: asOf, Edges: defaultEdges}
	rep, err := ByClient(context.Background(), db, o)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = WriteXLSX(&b, rep, "fr", func(fn func(Item) error) error { return Items(context.Background(), db, o, nil, fn) })
	if err != nil {
		t.Fatal(err)
	}
	checkXLSX(t, b.Bytes(), "fr")
}

// checkXLSX reopens a workbook of the portfolio and checks its sheets,
// numeric cells, frozen headers and chart part.
func checkXLSX(t *testing.T, data []byte, locale string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		charts++
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		xml, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(xml, []byte(`<grouping val="stacked">`)) || !bytes.Contains(xml, []byte(`<barDir val="bar">`)) {
			t.Errorf("%s is not a stacked bar chart", zf.Name)
		}
	}

	if charts != 2 { // one per currency
		t.Errorf("%d chart parts, want 2 (EUR and GBP)", charts)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := SheetNames(locale)
	if got := f.GetSheetList(); len(got) != 4 || got[0] != names[0] || got[2] != names[2] {
		t.Fatalf("sheets = %v, want %v", got, names)
	}
	numeric := func(sheet, ref string, want float64) {
		t.Helper()
		typ, err := f.GetCellType(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		got, perr := strconv.ParseFloat(raw, 64)
		if (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) || perr != nil || got != want {
			t.Errorf("%s!%s = %q (type %v), want the number %v", sheet, ref, raw, typ, want)
		}
	}
	// By client: row 2 is C001 (D..I buckets, J overdue, K unapplied, L total, M late rate, N disputed).
	if v, _ := f.GetCellValue(names[0], "A2"); v != "C001" {
		t.Errorf("A2 = %q", v)
	}
	numeric(names[0], "D2", 700)
	numeric(names[0], "E2", 2500)
	numeric(names[0], "K2", -400)
	numeric(names[0], "L2", 3300)
	numeric(names[0], "M2", 0.8108)
	numeric(names[0], "L4", 9400) // EUR TOTAL
	numeric(names[0], "N2", 500)  // C001's amount in dispute (A4)
	if v, _ := f.GetCellValue(names[0], "A4"); v != "TOTAL" {
		t.Errorf("A4 = %q, want TOTAL", v)
	}
	// By invoice: row 2 is A4, open 500.00, 31 days late.
	numeric(names[2], "I2", 500)
	numeric(names[2], "J2", 31)
	for _, sheet := range names[:3] {
		panes, err := f.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: header not frozen: %+v %v", sheet, panes, err)
		}
	}
}

// Custom edges rename the CSV columns and re-bucket the items: with
// [15, 45], A3 (30 days) and A4 (31 days) fall together in d16_45.
func TestCustomEdgesInCSV(t *testing.T) {
	db := portfolioDB(t)
	rep, err := ByClient(context.Background(), db, Options{AsOf: asOf, Edges: []int{15, 45}, Client: "C001"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	// not due A1 700.00; 1–15 A2 800.00; 16–45 A3 1,700.00 + A4 500.00.
	want := "client_id,client_name,not_due,d1_15,d16_45,d46_plus,overdue,unapplied,total,late_rate\n" +
		"C001,Alpha SARL,700.00,800.00,2200.00,0.00,3000.00,-400.00,3300.00,81.08\n" +
		"TOTAL,,700.00,800.00,2200.00,0.00,3000.00,-400.00,3300.00,81.08\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// A credit note naming an invoice nets in that invoice's bucket, on the
// day of the report and on any later or earlier day: GV2, naming G1 and not
// yet allocated, is not due with G1 on 2025-09-30 (G1 due 2025-10-12); the
// items add up to the balance either way.
func TestCreditNoteNamingAnInvoiceAgesWithIt(t *testing.T) {
	db := portfolioDB(t)
	ctx := context.Background()
	if _, err := db.Exec(ctx, `INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, currency, amount_incl_vat, applies_to_id)
		VALUES (1, 3, 'GV2', 'credit_note', '2025-09-25', '2025-09-25', 'GBP', -5000, 14)`); err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Time{clock.Date(2025, 9, 30), clock.Date(2026, 1, 15)} {
		o := Options{AsOf: d, Edges: defaultEdges}
		rep, err := ByClient(ctx, db, o)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		w := NewItemCSVWriter(&b)
		sum := map[string]money.Amount{}
		if err := Items(ctx, db, o, nil, func(it Item) error { sum[it.Currency] += it.Open; return w.Write(it) }); err != nil {
			t.Fatal(err)
		}
		w.Close()
		for _, s := range rep.Sections {
			if sum[s.Currency] != s.Total.Total() {
				t.Errorf("%s %s: items %d, balance %d", d.Format(time.DateOnly), s.Currency, sum[s.Currency], s.Total.Total())
			}
		}
		if d.Equal(clock.Date(2025, 9, 30)) && !strings.Contains(b.String(), "GV2,2025-09-25,2025-10-12,GBP,-50.00,-50.00,-12,not_due") {
			t.Errorf("GV2 not aged with G1:\n%s", b.String())
		}
	}
}

// Each item carries what the next step needs, read in the one query: the
// client's profile, score, country, segment and net balance, and the
// invoice's ledger as of the date (rows dated on or after it, and rows
// dropped at send time, left out).
func TestItemsCarryWhatTheNextStepNeeds(t *testing.T) {
	db := portfolioDB(t)
	ctx := context.Background()
	for _, sql := range []string{
		`UPDATE client SET payer_score = 'B', segment = 'retail', country = 'BE' WHERE code = 'C002'`,
		// B3: level1 history, level2 decided on D itself (not history yet).
		`INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, due_on, status) VALUES
			(10, 2, 'standard', 'level2', 2, 'email', '2025-09-12', 'pending'),
			(10, 2, 'standard', 'level1', 1, 'email', '2025-08-04', 'sent'),
			(12, 2, 'standard', 'level1', 1, 'email', '2025-08-01', 'dropped')`,
		// A EUR invoice of Gamma: the net balance adds currencies, as the sweep does.
		`INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, currency, amount_incl_vat)
			VALUES (1, 3, 'G3', 'invoice', '2025-09-01', '2025-10-01', 'EUR', 10000)`,
	} {
		if _, err := db.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	{
		got := map[string]Item{}
		err := Items(ctx, db, Options{AsOf: asOf, Edges: defaultEdges}, nil, func(it Item) error {
			got[it.Number] = it
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ledger := func(number string) string {
			var parts []string
			for _, e := range got[number].Ledger {
				parts = append(parts, e.StepID+"@"+e.Day.Format(time.DateOnly))
			}
			return strings.Join(parts, " ")
		}
		for number, want := range map[string]string{
			"B2":     "level1@2025-07-15 level2@2025-08-18 level3@2025-09-08", // portfolio.sql, oldest first
			"B3":     "level1@2025-08-04",
			"B5":     "",
			"A1":     "",
			"VIR-P2": "",
		} {
			if l := ledger(number); l != want {
				t.Errorf("%s ledger = %q, want %q", number, l, want)
			}
		}
		// Net balances at D: Alpha 3,300.00 and Bêta 6,100.00 (portfolio.sql);
		// Gamma 900.00 GBP + 100.00 EUR.
		for number, want := range map[string]Item{
			"A1":     {ClientProfile: "standard", Country: "FR", ClientNet: 330000},
			"VIR-P2": {ClientProfile: "standard", Country: "FR", ClientNet: 330000},
			"B1":     {PayerScore: "B", Country: "BE", Segment: "retail", ClientNet: 610000},
			"G1":     {Country: "FR", ClientNet: 100000},
			"G3":     {Country: "FR", ClientNet: 100000},
		} {
			it := got[number]
			if it.ClientProfile != want.ClientProfile || it.PayerScore != want.PayerScore || it.Country != want.Country ||
				it.Segment != want.Segment || it.ClientNet != want.ClientNet {
				t.Errorf("%s = profile %q score %q country %q segment %q net %d, want %+v", number,
					it.ClientProfile, it.PayerScore, it.Country, it.Segment, it.ClientNet, want)
			}
		}
	}
}

// A4 (500.00, Alpha) is in dispute from 2025-09-01: the disputed column says
// so, and --exclude-disputed takes it out of its bucket and the totals, not
// out of the disputed column. Before the dispute opened nothing is disputed.
func TestDisputedAmountAndExclusion(t *testing.T) {
	db := portfolioDB(t)
	ctx := context.Background()
	alpha := func(o Options) Row {
		t.Helper()
		rep, err := ByClient(ctx, db, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Sections {
			for _, r := range s.Rows {
				if r.ClientCode == "C001" {
					return r
				}
			}
		}
		t.Fatalf("no C001 in %+v", rep)
		return Row{}
	}
	r := alpha(Options{AsOf: asOf, Edges: defaultEdges})
	if r.Disputed != 50000 || r.Buckets[2] != 50000 || r.Total() != 330000 {
		t.Errorf("with disputes: disputed %d, 31–60 %d, total %d", r.Disputed, r.Buckets[2], r.Total())
	}
	r = alpha(Options{AsOf: asOf, Edges: defaultEdges, ExcludeDisputed: true})
	if r.Disputed != 50000 || r.Buckets[2] != 0 || r.Total() != 280000 || r.Overdue() != 250000 {
		t.Errorf("disputes excluded: disputed %d, 31–60 %d, total %d, overdue %d", r.Disputed, r.Buckets[2], r.Total(), r.Overdue())
	}
	if r := alpha(Options{AsOf: clock.Date(2025, 8, 31), Edges: defaultEdges}); r.Disputed != 0 {
		t.Errorf("31 August, before the dispute: disputed %d", r.Disputed)
	}
	var b bytes.Buffer
	w := NewItemCSVWriter(&b)
	if err := Items(ctx, db, Options{AsOf: asOf, Edges: defaultEdges, ExcludeDisputed: true}, nil, w.Write); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if strings.Contains(b.String(), "A4,") || !strings.Contains(b.String(), "A3,") {
		t.Errorf("by invoice, disputes excluded:\n%s", b.String())
	}
}

// A group: a subsidiary with its own client. The balance of every entity
// closes each entity's rows with its subtotal, in the table and the JSON;
// the balance of one entity has none.
func TestGroupBalanceHasASubtotalPerEntity(t *testing.T) {
	db := portfolioDB(t)
	ctx := context.Background()
	if _, err := db.Exec(ctx, `
INSERT INTO entity (code, name, parent_id) VALUES ('filiale', 'Filiale Sud SAS', 1);
INSERT INTO client (entity_id, code, name) SELECT id, 'S001', 'Sigma SARL' FROM entity WHERE code = 'filiale';
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, currency, amount_incl_vat)
SELECT c.entity_id, c.id, 'S1', '2025-07-01', '2025-07-31', 'EUR', 250000 FROM client c WHERE c.code = 'S001'`); err != nil {
		t.Fatal(err)
	}
	rep, err := ByClient(ctx, db, Options{AsOf: asOf, Edges: defaultEdges})
	if err != nil {
		t.Fatal(err)
	}
	eur := rep.Sections[0]
	if len(eur.Subtotals) != 2 || eur.Subtotals[0].EntityCode != "default" || eur.Subtotals[0].Total() != 940000 ||
		eur.Subtotals[1].EntityCode != "filiale" || eur.Subtotals[1].Total() != 250000 || eur.Total.Total() != 1190000 {
		t.Errorf("EUR subtotals %+v, total %d", eur.Subtotals, eur.Total.Total())
	}
	if rep.Sections[1].Subtotals != nil {
		t.Errorf("GBP (one entity) has subtotals: %+v", rep.Sections[1].Subtotals)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, rep, "fr"); err != nil {
		t.Fatal(err)
	}
	golden(t, "group_fr.txt", b.Bytes())
	b.Reset()
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "group.json", b.Bytes())
	b.Reset()
	if err := WriteXLSX(&b, rep, "fr", func(func(Item) error) error { return nil }); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Rows 2–3: default's clients, 4: its subtotal, 5: filiale's client, 6:
	// its subtotal, 7: TOTAL. Column O names the entity.
	sheet := SheetNames("fr")[0]
	for ref, want := range map[string]string{"A4": "Sous-total", "B4": "Default entity", "O3": "default", "A6": "Sous-total",
		"O5": "filiale", "A7": "TOTAL"} {
		if v, _ := f.GetCellValue(sheet, ref); v != want {
			t.Errorf("%s!%s = %q, want %q", sheet, ref, v, want)
		}
	}
	one, err := ByClient(ctx, db, Options{AsOf: asOf, Edges: defaultEdges, Entity: "filiale"})
	if err != nil {
		t.Fatal(err)
	}
	if one.Consolidated() || len(one.Sections) != 1 || len(one.Sections[0].Rows) != 1 {
		t.Errorf("one entity: %+v", one)
	}
}

// The balance of an entity with its subsidiaries covers the entities under
// it, at every depth, and nothing beside it: default holds filiale, which
// holds atelier; autre stands alone. Each entity of the scope closes with
// its subtotal, in the by-client view and the by-invoice one. Without
// subsidiaries, an entity is itself alone.
func TestSubsidiariesCoverTheEntitiesUnderIt(t *testing.T) {
	db := portfolioDB(t)
	ctx := context.Background()
	if _, err := db.Exec(ctx, `
INSERT INTO entity (code, name, parent_id) VALUES ('filiale', 'Filiale Sud SAS', 1), ('autre', 'Autre SA', NULL);
INSERT INTO entity (code, name, parent_id) SELECT 'atelier', 'Atelier Nord SARL', id FROM entity WHERE code = 'filiale';
INSERT INTO client (entity_id, code, name) SELECT id, 'S' || code, 'Client de ' || code FROM entity WHERE code <> 'default';
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, currency, amount_incl_vat)
SELECT c.entity_id, c.id, c.code || '-1', '2025-07-01', '2025-07-31', 'EUR', 100000 + c.entity_id FROM client c
WHERE c.code LIKE 'S%'`); err != nil {
		t.Fatal(err)
	}
	entitiesOf := func(rep Report) (rows, subtotals []string) {
		for _, s := range rep.Sections {
			for _, r := range s.Rows {
				if !slices.Contains(rows, r.EntityCode) {
					rows = append(rows, r.EntityCode)
				}
			}
			for _, r := range s.Subtotals {
				subtotals = append(subtotals, r.EntityCode)
			}
		}
		return rows, subtotals
	}
	for _, tc := range []struct {
		entity       string
		subsidiaries bool
		want         []string
	}{
		{"filiale", true, []string{"atelier", "filiale"}},
		{"default", true, []string{"atelier", "default", "filiale"}},
		{"atelier", true, []string{"atelier"}},
		{"autre", true, []string{"autre"}},
		{"default", false, []string{"default"}},
		{"filiale", false, []string{"filiale"}},
		{"", false, []string{"atelier", "autre", "default", "filiale"}},
	} {
		o := Options{AsOf: asOf, Edges: defaultEdges, Entity: tc.entity, Subsidiaries: tc.subsidiaries}
		rep, err := ByClient(ctx, db, o)
		if err != nil {
			t.Fatal(err)
		}
		rows, subtotals := entitiesOf(rep)
		slices.Sort(rows)
		if !slices.Equal(rows, tc.want) {
			t.Errorf("%+v: rows of %v, want %v", tc, rows, tc.want)
		}
		if eur := rep.Sections[0]; len(tc.want) > 1 && !slices.Equal(subtotals, tc.want) || len(tc.want) == 1 && subtotals != nil {
			t.Errorf("%+v: subtotals of %v (EUR %+v)", tc, subtotals, eur.Subtotals)
		}
		var items []string
		if err := Items(ctx, db, o, nil, func(it Item) error {
			if !slices.Contains(items, it.EntityCode) {
				items = append(items, it.EntityCode)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		slices.Sort(items)
		if !slices.Equal(items, tc.want) {
			t.Errorf("%+v: items of %v, want %v", tc, items, tc.want)
		}
	}
}

// The configuration lets through exactly the buckets the query can sum.
func TestConfigBucketLimitIsTheQuerys(t *testing.T) {
	if config.MaxBucketEdges+2 != MaxBuckets {
		t.Errorf("config allows %d edges, the query sums %d buckets", config.MaxBucketEdges, MaxBuckets)
	}
	db := portfolioDB(t)
	edges := []int{15, 30, 45, 60, 75, 90, 105, 120}
	rep, err := ByClient(context.Background(), db, Options{AsOf: asOf, Edges: edges, Client: "C002"})
	if err != nil {
		t.Fatal(err)
	}
	// B1 60 days → 46–60; B2 61 → 61–75; B3 90 → 76–90; B4 91 → 91–105;
	// B5 120 → 106–120; B6 121 → 121+.
	if got := rep.Sections[0].Rows[0].Buckets; !equal(got, amounts(0, 0, 0, 0, 60000, 70000, 90000, 110000, 130000, 150000)) {
		t.Errorf("ten buckets: %v", got)
	}
	if _, err := ByClient(context.Background(), db, Options{AsOf: asOf, Edges: append(edges, 135)}); err == nil {
		t.Error("eleven buckets accepted")
	}
}

// The aged balance reads the ledger as of the date inline: the planner has
// inlined every ledger function (no Function Scan) and the scan of the
// items carries no per-item subquery (a SubPlan would also forbid a
// parallel scan of a million invoices).
func TestByClientPlanIsOneScanOfTheItems(t *testing.T) {
	db := portfolioDB(t)
	var plan string
	rows, err := db.Query(context.Background(), "EXPLAIN "+byClientSQL, asOf, thresholds(Buckets(defaultEdges)), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	plan = strings.Join(lines, "\n")
	for _, bad := range []string{"Function Scan", "SubPlan"} {
		if strings.Contains(plan, bad) {
			t.Errorf("the plan has a %s:\n%s", bad, plan)
		}
	}
	if !strings.Contains(plan, "Seq Scan on invoice") {
		t.Errorf("no scan of the invoices:\n%s", plan)
	}
}
