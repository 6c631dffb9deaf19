package penalty_test

import (
	"fmt"
	"time"

	"github.com/relance/relance/internal/penalty"
)

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
