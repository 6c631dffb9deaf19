package penalty

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/money"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func calc(t *testing.T, rules, contractual string) *Calculator {
	t.Helper()
	r, err := DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(rules, r, contractual)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCompute(t *testing.T) {
	tests := []struct {
		name          string
		rules, contr  string
		debt          Debt
		asOf          string
		interest, ind money.Amount
		periods       int
	}{
		// DESIGN §2: 12,000 × 12.15% (ECB 2.15 on 1 July 2025 + 10) × 60/365
		// = 87,480/365 = 239.671… → 239.67, plus 40.00.
		{name: "design worked example", rules: "FR", debt: Debt{Amount: 1_200_000, DueDate: day("2025-07-14")},
			asOf: "2025-09-12", interest: 23967, ind: 4000, periods: 1},
		// 16–30 June: 15 days at 13.15% (ECB 3.15 on 1 January 2025 + 10);
		// 1–15 July: 15 days at 12.15%.
		// 12,000 × (0.1315 × 15 + 0.1215 × 15)/365 = 45,540/365 = 124.767… → 124.77.
		{name: "spanning two half-years", rules: "FR", debt: Debt{Amount: 1_200_000, DueDate: day("2025-06-15")},
			asOf: "2025-07-15", interest: 12477, ind: 4000, periods: 2},
		// 5,000 paid on 3 August, the 20th day late: 12,000 for 20 days
		// (15 July–3 August), then 7,000 for 40 days (4 August–12 September).
		// (12,000 × 20 + 7,000 × 40) × 0.1215/365 = 29,160/365 + 34,020/365
		// = 79.890… + 93.205… = 173.095… → 173.10.
		{name: "partial payment on day 20", rules: "FR", debt: Debt{Amount: 1_200_000, DueDate: day("2025-07-14"),
			Payments: []Payment{{Day: day("2025-08-03"), Amount: 500_000}}},
			asOf: "2025-09-12", interest: 17310, ind: 4000, periods: 2},
		// Paid in full on day 10: 12,000 × 0.1215 × 10/365 = 14,580/365 = 39.945… → 39.95.
		{name: "paid in full stops interest", rules: "FR", debt: Debt{Amount: 1_200_000, DueDate: day("2025-07-14"),
			Payments: []Payment{{Day: day("2025-07-24"), Amount: 1_200_000}}},
			asOf: "2025-09-12", interest: 3995, ind: 4000, periods: 1},
		// Insolvency opened 3 August: accrual through 2 August, 19 days.
		// 12,000 × 0.1215 × 19/365 = 27,702/365 = 75.895… → 75.90.
		{name: "frozen at insolvency", rules: "FR", debt: Debt{Amount: 1_200_000, DueDate: day("2025-07-14"), FrozenFrom: day("2025-08-03")},
			asOf: "2025-09-12", interest: 7590, ind: 4000, periods: 1},
		// Contractual 12% ≥ 3 × 2.76 = 8.28: 12,000 × 0.12 × 60/365 = 86,400/365 = 236.712… → 236.71.
		{name: "contractual rate above the floor", rules: "FR", contr: "12%", debt: Debt{Amount: 1_200_000, DueDate: day("2025-07-14")},
			asOf: "2025-09-12", interest: 23671, ind: 4000, periods: 1},
		// EU: ECB 2.15 + 8 = 10.15%: 12,000 × 0.1015 × 60/365 = 73,080/365 = 200.219… → 200.22.
		{name: "EU directive", rules: "EU", debt: Debt{Amount: 1_200_000, DueDate: day("2025-07-14")},
			asOf: "2025-09-12", interest: 20022, ind: 4000, periods: 1},
		// DE: 21–30 June at 2.27 + 9 = 11.27%, 1–20 July at 1.27 + 9 = 10.27%.
		// 10,000 × (0.1127 × 10 + 0.1027 × 20)/365 = 31,810/365 = 87.150… → 87.15.
		{name: "DE base rate by half-year", rules: "DE", debt: Debt{Amount: 1_000_000, DueDate: day("2025-06-20")},
			asOf: "2025-07-20", interest: 8715, ind: 4000, periods: 2},
		// UK: interest starts 11 March 2025, so Bank Rate on 31 December 2024
		// (4.75) + 8 = 12.75%, fixed across the July boundary. 183 days
		// (11 March–9 September): 5,000 × 0.1275 × 183/365 = 116,662.5/365
		// = 319.623… → 319.62; £70 for a debt of £1,000–£9,999.99.
		{name: "UK fixed rate and £70", rules: "UK", debt: Debt{Amount: 500_000, DueDate: day("2025-03-10")},
			asOf: "2025-09-09", interest: 31962, ind: 7000, periods: 2},
		// Half a cent rounds up: 18.25 × 10% × 1/365 = 0.005.
		{name: "half a cent rounds up", rules: "EU", contr: "10%", debt: Debt{Amount: 1825, DueDate: day("2025-07-14")},
			asOf: "2025-07-15", interest: 1, ind: 4000, periods: 1},
		{name: "not late", rules: "FR", debt: Debt{Amount: 1_200_000, DueDate: day("2025-07-14")},
			asOf: "2025-07-14", interest: 0, ind: 0, periods: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := calc(t, tt.rules, tt.contr).Compute(tt.debt, day(tt.asOf))
			if err != nil {
				t.Fatal(err)
			}
			if got.Interest != tt.interest || got.Indemnity != tt.ind || len(got.Periods) != tt.periods {
				t.Errorf("interest %s indemnity %s periods %d; want %s %s %d (%+v)",
					money.FormatPlain(got.Interest), money.FormatPlain(got.Indemnity), len(got.Periods),
					money.FormatPlain(tt.interest), money.FormatPlain(tt.ind), tt.periods, got.Periods)
			}
		})
	}
}

func TestContractualRateBelowFloorIsRejected(t *testing.T) {
	// First half of 2025: legal rate 3.71%, floor 11.13%; 8% is below it.
	_, err := calc(t, "FR", "8%").Compute(Debt{Amount: 100_000, DueDate: day("2025-03-01")}, day("2025-04-01"))
	if !errors.Is(err, ErrBelowFloor) {
		t.Fatalf("err = %v, want ErrBelowFloor", err)
	}
	// 11.13% is exactly the floor.
	if _, err := calc(t, "FR", "11.13%").Compute(Debt{Amount: 100_000, DueDate: day("2025-03-01")}, day("2025-04-01")); err != nil {
		t.Errorf("the floor itself is allowed: %v", err)
	}
}

func TestUKFixedSums(t *testing.T) {
	c := calc(t, "UK", "")
	for _, tt := range []struct{ amount, want money.Amount }{
		{99_999, 4000}, {100_000, 7000}, {999_999, 7000}, {1_000_000, 10000}, {50_000_000, 10000},
	} {
		got, err := c.Compute(Debt{Amount: tt.amount, DueDate: day("2025-03-10")}, day("2025-03-20"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Indemnity != tt.want {
			t.Errorf("debt %s: indemnity %s, want %s", money.FormatPlain(tt.amount), money.FormatPlain(got.Indemnity), money.FormatPlain(tt.want))
		}
	}
}

func TestRatesOverride(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rates.yaml")
	if err := os.WriteFile(path, []byte("ecb_mro:\n  - {from: 2025-01-01, rate: \"5.00\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := LoadRates(path)
	if err != nil {
		t.Fatal(err)
	}
	if bp, _ := r.On(ECBMainRefinancing, day("2025-07-01")); bp != 500 {
		t.Errorf("overridden ECB rate = %d bp, want 500", bp)
	}
	if bp, _ := r.On(DEBase, day("2016-07-01")); bp != -88 {
		t.Errorf("a table the file does not name keeps the shipped values: %d", bp)
	}
	if _, err := r.On(ECBMainRefinancing, day("2024-12-31")); !errors.Is(err, ErrNoRate) {
		t.Errorf("before the first entry: %v, want ErrNoRate", err)
	}
	os.WriteFile(path, []byte("ecb_mro:\n  - {from: 2025-01-01, rate: \"five\"}\nlibor: []\n"), 0o600)
	if _, err := LoadRates(path); err == nil {
		t.Error("a bad rate file loaded")
	}
}

func TestShippedHalfYearRates(t *testing.T) {
	r, err := DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		date string
		bp   int
	}{{"2022-07-01", 0}, {"2023-01-01", 250}, {"2023-07-01", 400}, {"2024-01-01", 450}, {"2024-07-01", 425}, {"2025-01-01", 315}, {"2025-07-01", 215}, {"2026-01-01", 215}} {
		if bp, _ := r.On(ECBMainRefinancing, day(tt.date)); bp != tt.bp {
			t.Errorf("ECB on %s = %d bp, want %d", tt.date, bp, tt.bp)
		}
	}
	for _, tt := range []struct {
		table, date string
		bp          int
	}{
		{FRLegal, "2025-07-01", 276}, {FRLegal, "2026-01-01", 262}, {FRLegal, "2026-06-30", 262},
		{DEBase, "2026-01-01", 127},
		{UKBankRate, "2025-12-17", 400}, {UKBankRate, "2025-12-18", 375}, {UKBankRate, "2025-12-31", 375},
	} {
		if bp, _ := r.On(tt.table, day(tt.date)); bp != tt.bp {
			t.Errorf("%s on %s = %d bp, want %d", tt.table, tt.date, bp, tt.bp)
		}
	}
	if e, _ := r.Entry(FRLegal, day("2026-03-01")); !strings.Contains(e.Source, "15 décembre 2025") {
		t.Errorf("fr_legal 2026 H1 source %q", e.Source)
	}
}

// The periods of a debt split its interest by half-year (and by payment)
// without moving the total by a cent.
func TestPeriodsCarryTheirInterest(t *testing.T) {
	for _, tt := range []struct {
		name  string
		rules string
		debt  Debt
		asOf  string
		want  []Period
	}{
		// 16–30 June: 12,000 × 13.15% × 15/365 = 64.849… ; 1–15 July:
		// 12,000 × 12.15% × 15/365 = 59.917…; total 124.767… → 124.77. Rounded
		// down, 64.84 + 59.91 = 124.75: the two cents left go one to each.
		{"two half-years", "FR", Debt{Amount: 1_200_000, DueDate: day("2025-06-15")}, "2025-07-15", []Period{
			{From: day("2025-06-16"), To: day("2025-06-30"), Days: 15, Principal: 1_200_000, RateBP: 1315, Interest: 6485},
			{From: day("2025-07-01"), To: day("2025-07-15"), Days: 15, Principal: 1_200_000, RateBP: 1215, Interest: 5992},
		}},
		// 79.890… + 93.205… = 173.095… → 173.10; rounded down 79.89 + 93.20
		// = 173.09: the cent left goes to the larger remainder (0.55 cent > 0.04).
		{"payment", "FR", Debt{Amount: 1_200_000, DueDate: day("2025-07-14"),
			Payments: []Payment{{Day: day("2025-08-03"), Amount: 500_000}}}, "2025-09-12", []Period{
			{From: day("2025-07-15"), To: day("2025-08-03"), Days: 20, Principal: 1_200_000, RateBP: 1215, Interest: 7989},
			{From: day("2025-08-04"), To: day("2025-09-12"), Days: 40, Principal: 700_000, RateBP: 1215, Interest: 9321},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := calc(t, tt.rules, "").Compute(tt.debt, day(tt.asOf))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Periods) != len(tt.want) {
				t.Fatalf("periods %+v, want %+v", got.Periods, tt.want)
			}
			var sum money.Amount
			for i, p := range got.Periods {
				if p != tt.want[i] {
					t.Errorf("period %d = %+v, want %+v", i, p, tt.want[i])
				}
				sum += p.Interest
			}
			if sum != got.Interest {
				t.Errorf("periods add up to %d, total %d", sum, got.Interest)
			}
		})
	}
}

// Over many debts, each period's interest is within a cent of its exact
// value and the periods add up to the total.
func TestApportionKeepsTheTotal(t *testing.T) {
	c := calc(t, "FR", "")
	for i := range 2000 {
		amount := money.Amount(1 + (i*7919)%3_000_000)
		due := day("2023-01-01").AddDate(0, 0, (i*37)%900)
		debt := Debt{Amount: amount, DueDate: due}
		if i%3 == 0 {
			debt.Payments = []Payment{{Day: due.AddDate(0, 0, 1+i%200), Amount: amount / 3}}
		}
		res, err := c.Compute(debt, due.AddDate(0, 0, 1+(i*13)%700))
		if err != nil {
			t.Fatal(err)
		}
		var sum money.Amount
		for _, p := range res.Periods {
			sum += p.Interest
			// exact = principal × bp × days / 3,650,000 cents
			exact := float64(p.Principal) * float64(p.RateBP) * float64(p.Days) / 3_650_000
			if d := float64(p.Interest) - exact; d <= -1 || d >= 1 {
				t.Fatalf("debt %d: period %+v: %d cents for an exact %.4f", i, p, p.Interest, exact)
			}
		}
		if sum != res.Interest {
			t.Fatalf("debt %d: periods add up to %d, total %d", i, sum, res.Interest)
		}
	}
}

// The floor of a contractual rate moves with the legal rate: 8% is below
// 3 × 2.76 = 8.28% in the second half of 2025 and above 3 × 2.62 = 7.86% in
// the first half of 2026 (arrêté of 15 December 2025).
func TestFloorFollowsTheLegalRateOfEachHalfYear(t *testing.T) {
	c := calc(t, "FR", "8%")
	if _, err := c.Compute(Debt{Amount: 100_000, DueDate: day("2025-09-01")}, day("2025-10-01")); !errors.Is(err, ErrBelowFloor) {
		t.Errorf("2025 H2: err = %v, want ErrBelowFloor", err)
	}
	res, err := c.Compute(Debt{Amount: 100_000, DueDate: day("2026-01-31")}, day("2026-03-02"))
	if err != nil {
		t.Fatalf("2026 H1: %v", err)
	}
	// 1,000 × 8% × 30/365 = 6.575… → 6.58
	if res.Interest != 658 {
		t.Errorf("2026 H1 interest %d, want 658", res.Interest)
	}
	if f, _ := c.Floor(day("2026-05-01")); f != 786 {
		t.Errorf("floor 2026 H1 = %d bp, want 786", f)
	}
}

func TestBasis(t *testing.T) {
	for _, tt := range []struct {
		rules, day string
		table      string
		ref        string
		rate       int
	}{
		{"FR", "2026-03-15", ECBMainRefinancing, "2026-01-01", 1215},
		{"EU", "2025-03-15", ECBMainRefinancing, "2025-01-01", 1115},
		{"DE", "2026-03-15", DEBase, "2026-01-01", 1027},
		// Bank Rate on 31 December 2025, after the cut of 18 December: 3.75 + 8.
		{"UK", "2026-03-15", UKBankRate, "2025-12-31", 1175},
		// On 30 June 2025: 4.25 + 8.
		{"UK", "2025-07-01", UKBankRate, "2025-06-30", 1225},
	} {
		b, err := calc(t, tt.rules, "").Basis(day(tt.day))
		if err != nil {
			t.Fatal(err)
		}
		if b.Table != tt.table || !b.Day.Equal(day(tt.ref)) || b.RateBP != tt.rate || b.RefBP+b.MarginBP != b.RateBP {
			t.Errorf("%s %s: %+v, want %s on %s, %d bp", tt.rules, tt.day, b, tt.table, tt.ref, tt.rate)
		}
	}
}

func TestGaps(t *testing.T) {
	for _, tt := range []struct {
		rules, day string
		want       []string // table:needed
	}{
		{"FR", "2026-03-15", nil},
		{"FR", "2026-07-01", []string{"ecb_mro:2026-07-01", "fr_legal:2026-07-01"}},
		{"EU", "2026-11-29", []string{"ecb_mro:2026-07-01"}},
		{"DE", "2026-06-30", nil},
		{"DE", "2026-07-01", []string{"de_base:2026-07-01"}},
		{"UK", "2026-06-30", nil}, // needs 31 December 2025, checked to 5 February 2026
		{"UK", "2026-07-01", []string{"uk_bank_rate:2026-06-30"}},
		{"FR", "2019-03-01", nil},
	} {
		var got []string
		for _, g := range calc(t, tt.rules, "").Gaps(day(tt.day)) {
			got = append(got, g.Table+":"+g.Needed.Format(time.DateOnly))
			if !strings.Contains(g.Error(), "carried forward") {
				t.Errorf("gap message %q", g.Error())
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s on %s: gaps %v, want %v", tt.rules, tt.day, got, tt.want)
		}
	}
}

func TestRateFileFormats(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rates.yaml")
	os.WriteFile(path, []byte(`ecb_mro:
  source: https://example.org/ecb
  checked: 2026-07-02
  steps:
    - {from: 2025-06-11, rate: "2.15"}
    - {from: 2026-06-11, rate: "2.40", source: "press release of 4 June 2026"}
de_base:
  - {from: 2025-07-01, rate: "1.27"}
`), 0o600)
	r, err := LoadRates(path)
	if err != nil {
		t.Fatal(err)
	}
	e, err := r.Entry(ECBMainRefinancing, day("2026-07-01"))
	if err != nil || e.RateBP != 240 || e.Source != "press release of 4 June 2026" || !e.From.Equal(day("2026-06-11")) {
		t.Errorf("entry %+v, %v", e, err)
	}
	if e, _ := r.Entry(ECBMainRefinancing, day("2025-12-01")); e.Source != "https://example.org/ecb" {
		t.Errorf("a step without a source has the table's: %q", e.Source)
	}
	if k := r.KnownThrough(ECBMainRefinancing); !k.Equal(day("2026-07-02")) {
		t.Errorf("known through %s, want the checked day", k)
	}
	if k := r.KnownThrough(DEBase); !k.Equal(day("2025-07-01")) {
		t.Errorf("a bare list is known up to its last step: %s", k)
	}
	if r.Source(DEBase) != "" {
		t.Errorf("a bare list has no source: %q", r.Source(DEBase))
	}

	os.WriteFile(path, []byte("fr_legal:\n  checked: soon\n  steps: []\n"), 0o600)
	if _, err := LoadRates(path); err == nil || !strings.Contains(err.Error(), "fr_legal.checked") {
		t.Errorf("a bad checked day: %v", err)
	}
	os.WriteFile(path, []byte("fr_legal:\n  sources: x\n"), 0o600)
	if _, err := LoadRates(path); err == nil {
		t.Error("an unknown key in a table loaded")
	}
}

// The Basiszinssatz moves on 1 January and 1 July by the points the ECB main
// refinancing rate (of the last operation before that day) has moved since
// the Basiszinssatz last changed (§ 247 (1) BGB): the shipped de_base must
// follow from the shipped ecb_mro, half-year by half-year.
func TestDEBaseFollowsTheECBRate(t *testing.T) {
	r, err := DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	ref := func(h time.Time) int {
		bp, err := r.On(ECBMainRefinancing, h.AddDate(0, 0, -1))
		if err != nil {
			t.Fatal(err)
		}
		return bp
	}
	h := day("2015-01-01")
	base, err := r.On(DEBase, h)
	if err != nil {
		t.Fatal(err)
	}
	refAtChange := ref(h)
	for h = h.AddDate(0, 6, 0); !h.After(r.KnownThrough(DEBase)); h = h.AddDate(0, 6, 0) {
		if now := ref(h); now != refAtChange {
			base += now - refAtChange
			refAtChange = now
		}
		if got, _ := r.On(DEBase, h); got != base {
			t.Errorf("de_base on %s = %d bp, § 247 BGB gives %d", h.Format(time.DateOnly), got, base)
		}
	}
}

func TestChooserByCountryOrFixed(t *testing.T) {
	rates, err := DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	byCountry, err := NewChooser("", rates, "")
	if err != nil {
		t.Fatal(err)
	}
	for country, want := range map[string]RuleSet{"FR": FR, "": FR, "de": DE, "GB": UK, "UK": UK, "BE": EU, "US": EU} {
		if got := byCountry.For(country).RuleSet(); got != want {
			t.Errorf("by country, %q: %s, want %s", country, got, want)
		}
	}
	fixed, err := NewChooser("FR", rates, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := fixed.For("DE").RuleSet(); got != FR {
		t.Errorf("penalties.rule_set FR, German debtor: %s", got)
	}
	if _, err := NewChooser("XX", rates, ""); err == nil {
		t.Error("unknown rule set accepted")
	}
}

// TestChooserGaps: with the rule set chosen by country every rule set's
// tables are checked, a table two of them share named once; a fixed rule
// set is checked alone. The shipped tables stop short of 2026 H2.
func TestChooserGaps(t *testing.T) {
	rates, err := DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		ruleSet string
		want    []string
	}{
		{"", []string{"FR " + ECBMainRefinancing, "FR " + FRLegal, "DE " + DEBase, "UK " + UKBankRate}},
		{"UK", []string{"UK " + UKBankRate}},
		{"EU", []string{"EU " + ECBMainRefinancing}},
	} {
		c, err := NewChooser(tt.ruleSet, rates, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range c.Gaps(day("2026-09-01")) {
			got = append(got, string(g.Rules)+" "+g.Table)
		}
		if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
			t.Errorf("rule set %q: gaps %v, want %v", tt.ruleSet, got, tt.want)
		}
		if gaps := c.Gaps(day("2026-03-15")); len(gaps) != 0 {
			t.Errorf("rule set %q: 2026 H1 is complete, yet %v", tt.ruleSet, gaps)
		}
	}
}

// TestCheckFloorNamesTheHighestFloorMissed: a contractual rate is checked at
// start against every half-year the legal-rate table knows; the error names
// the half-year whose floor binds, and the floor.
func TestCheckFloorNamesTheHighestFloorMissed(t *testing.T) {
	for _, c := range []struct {
		rules, rate string
		want        string // "" for accepted
	}{
		{"FR", "12%", "statutory floor of 15.21% (3 × the legal interest rate of 5.07%) in the half-year from 2024-01-01"},
		{"FR", "15.20%", "in the half-year from 2024-01-01"},
		{"FR", "15.21%", ""},
		{"FR", "", ""},
		{"EU", "2%", ""}, // the floor is French law
	} {
		err := calc(t, c.rules, c.rate).CheckFloor(day("2025-09-12"))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %q: %v, want accepted", c.rules, c.rate, err)
		case c.want != "" && (err == nil || !errors.Is(err, ErrBelowFloor) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s %q: %v, want ErrBelowFloor naming %q", c.rules, c.rate, err, c.want)
		}
	}
}

// TestChooserCheckFloor: with the rule set chosen by country (the default)
// any client may be French, so a contractual rate is held to the French
// floor; a rule set fixed to one without a floor (EU, DE, UK) is not.
func TestChooserCheckFloor(t *testing.T) {
	rates, err := DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ruleSet, rate string
		refused       bool
	}{
		{"", "12%", true},
		{"FR", "12%", true},
		{"", "15.21%", false},
		{"", "", false},
		{"DE", "12%", false},
		{"EU", "2%", false},
		{"UK", "2%", false},
	} {
		ch, err := NewChooser(c.ruleSet, rates, c.rate)
		if err != nil {
			t.Fatal(err)
		}
		err = ch.CheckFloor(day("2025-09-12"))
		if refused := errors.Is(err, ErrBelowFloor); refused != c.refused {
			t.Errorf("rule set %q, contractual %q: %v, refused %v, want %v", c.ruleSet, c.rate, err, refused, c.refused)
		}
	}
}
