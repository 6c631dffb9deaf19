package claim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/relance/relance/internal/claim"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/templates"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func frRules(t testing.TB) *penalty.Calculator {
	rates, err := penalty.DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	calc, err := penalty.New("FR", rates, "")
	if err != nil {
		t.Fatal(err)
	}
	return calc
}

// TestCompute checks a claim worked out by hand. Opening 2026-01-20:
//   - A, 12,000.00 due 2025-12-01, 2,000.00 paid on 2025-12-11: interest on
//     12,000.00 for 12-02..12-11 (10 days at 12.15%, ECB 2.15 + 10) =
//     39.945…, on 10,000.00 for 12-12..12-31 (20 days) = 66.575…, and in
//     2026 H1 for 01-01..01-19 (19 days at 12.15%, the rate of 1 January
//     2026) = 63.246…; total 169.767… = 169.77, + 40.00;
//   - B, 3,000.00 due 2026-01-19, the eve: due, no day of interest yet, no
//     indemnity (nothing was late before the opening);
//   - C, 1,500.00 due 2026-02-15: falls due after the opening (à échoir).
func TestCompute(t *testing.T) {
	in := ledger.Insolvency{Kind: ledger.Redressement, Opened: day("2026-01-20"), Published: day("2026-01-28")}
	items := []ledger.ClaimItem{
		{Number: "A", Issued: day("2025-11-01"), Due: day("2025-12-01"), Currency: "EUR", Amount: 1200000, Unpaid: 1000000,
			Settlements: []ledger.Settlement{{Day: day("2025-12-11"), Amount: 200000}}},
		{Number: "B", Issued: day("2025-12-19"), Due: day("2026-01-19"), Currency: "EUR", Amount: 300000, Unpaid: 300000},
		{Number: "C", Issued: day("2026-01-15"), Due: day("2026-02-15"), Currency: "EUR", Amount: 150000, Unpaid: 150000},
	}
	c, err := claim.Compute(day("2026-02-02"), "K", templates.Party{Name: "Durand"}, templates.Party{Name: "Lefèvre"},
		templates.Entity{}, in, items, frRules(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"A 10000.00 169.77 40.00 10209.77 due 50", "B 3000.00 0.00 0.00 3000.00 due 1", "C 1500.00 0.00 0.00 1500.00 not due -26"}
	for i, it := range c.Items {
		nature := "due"
		if it.NotDue() {
			nature = "not due"
		}
		got := fmt.Sprintf("%s %s %s %s %s %s %d", it.Number, money.FormatPlain(it.Principal), money.FormatPlain(it.Interest),
			money.FormatPlain(it.Indemnity), money.FormatPlain(it.Total()), nature, it.DaysLate)
		if got != want[i] {
			t.Errorf("item %d: %s, want %s", i, got, want[i])
		}
	}
	if len(c.Items[0].Periods) != 3 || c.Items[0].Periods[2].From != day("2026-01-01") || c.Items[0].Periods[2].To != day("2026-01-19") {
		t.Errorf("periods of A: %+v", c.Items[0].Periods)
	}
	if len(c.Totals) != 1 || c.Totals[0].Sum() != 1470977 || c.Totals[0].NotDue != 150000 || c.RuleSet != "FR" {
		t.Errorf("totals %+v, rules %s", c.Totals, c.RuleSet)
	}
}

func ExampleCompute() {
	rates, _ := penalty.DefaultRates()
	fr, _ := penalty.New("FR", rates, "")
	in := ledger.Insolvency{Kind: ledger.Redressement, Opened: day("2025-09-10"), Published: day("2025-09-20")}
	items := []ledger.ClaimItem{{Number: "INS1", Issued: day("2025-08-01"), Due: day("2025-08-31"), Currency: "EUR",
		Amount: 600000, Unpaid: 600000}}
	c, err := claim.Compute(day("2025-09-22"), "I", templates.Party{Name: "Atelier Durand SAS"},
		templates.Party{Name: "Imprimerie Lefèvre"}, templates.Entity{}, in, items, fr)
	if err != nil {
		panic(err)
	}
	t := c.Totals[0]
	fmt.Println("principal", money.FormatPlain(t.Principal), "interest", money.FormatPlain(t.Interest),
		"indemnities", money.FormatPlain(t.Indemnity), "to declare", money.FormatPlain(t.Sum()), "by", in.ClaimDeadline().Format(time.DateOnly))
	// Output:
	// principal 6000.00 interest 17.98 indemnities 40.00 to declare 6057.98 by 2025-11-20
}
