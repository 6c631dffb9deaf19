package penalty_test

import (
	"fmt"
	"time"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
)

func date(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// An invoice late across the 1 July boundary: each half-year has its rate
// (ECB rate on 1 January 2025, 3.15, then on 1 July, 2.15, + 10 points), and
// the periods' interests add up to the total.
func ExampleCalculator_Compute() {
	rates, _ := penalty.DefaultRates()
	calc, _ := penalty.New("FR", rates, "")
	res, _ := calc.Compute(penalty.Debt{Amount: 1_200_000, DueDate: date("2025-06-15")}, date("2025-07-15"))
	for _, p := range res.Periods {
		fmt.Printf("%s to %s: %d days at %d bp on %s = %s\n", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly),
			p.Days, p.RateBP, money.FormatPlain(p.Principal), money.FormatPlain(p.Interest))
	}
	fmt.Println("interest", money.FormatPlain(res.Interest), "+ indemnity", money.FormatPlain(res.Indemnity))
	// Output:
	// 2025-06-16 to 2025-06-30: 15 days at 1315 bp on 12000.00 = 64.85
	// 2025-07-01 to 2025-07-15: 15 days at 1215 bp on 12000.00 = 59.92
	// interest 124.77 + indemnity 40.00
}

// A half-year whose reference rate the tables do not hold yet is reported,
// not silently priced at the last known rate.
func ExampleCalculator_Gaps() {
	rates, _ := penalty.DefaultRates()
	calc, _ := penalty.New("FR", rates, "")
	fmt.Println(len(calc.Gaps(date("2026-03-15"))), "gap in 2026 H1")
	for _, g := range calc.Gaps(date("2026-09-01")) {
		fmt.Println(g.Table, "needs the rate of", g.Needed.Format(time.DateOnly), "known up to", g.Known.Format(time.DateOnly))
	}
	// Output:
	// 0 gap in 2026 H1
	// ecb_mro needs the rate of 2026-07-01 known up to 2026-01-01
	// fr_legal needs the rate of 2026-07-01 known up to 2026-01-01
}

// A German debtor under the rules of its country: the Bundesbank base rate
// (1.27 % in the second half of 2025) + 9 points, simple interest
// actual/365, and the €40 flat fee.
func ExampleChooser() {
	rates, err := penalty.DefaultRates()
	if err != nil {
		panic(err)
	}
	rules, err := penalty.NewChooser("", rates, "") // "": by the debtor's country
	if err != nil {
		panic(err)
	}
	due := time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)
	res, err := rules.For("DE").Compute(penalty.Debt{Amount: 400000, DueDate: due}, due.AddDate(0, 0, 34))
	if err != nil {
		panic(err)
	}
	fmt.Println(rules.RuleSet("DE"), res.Periods[0].RateBP, res.Interest, res.Indemnity)
	fmt.Println(rules.RuleSet("FR"), rules.RuleSet("GB"), rules.RuleSet("BE"))
	// Output:
	// DE 1027 3827 4000
	// FR UK EU
}
