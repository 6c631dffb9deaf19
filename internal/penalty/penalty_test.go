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
	}{{"2022-07-01", 0}, {"2023-01-01", 250}, {"2023-07-01", 400}, {"2024-01-01", 450}, {"2024-07-01", 425}, {"2025-01-01", 315}, {"2025-07-01", 215}} {
		if bp, _ := r.On(ECBMainRefinancing, day(tt.date)); bp != tt.bp {
			t.Errorf("ECB on %s = %d bp, want %d", tt.date, bp, tt.bp)
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
