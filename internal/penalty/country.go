package penalty

import (
	"fmt"
	"strings"
	"time"
)

// ForCountry is the rule set that applies by default to a debtor in country
// (ISO 3166-1 code): FR → FR, DE → DE, GB (or UK) → UK, any other → EU, the
// directive every member state transposed (DESIGN.md §2).
func ForCountry(country string) RuleSet {
	switch strings.ToUpper(strings.TrimSpace(country)) {
	case "", "FR":
		return FR
	case "DE":
		return DE
	case "GB", "UK":
		return UK
	}
	return EU
}

// Chooser picks the calculator for a debtor: one rule set for everyone when
// the configuration names it (penalties.rule_set), otherwise the one of the
// debtor's country (ForCountry). An explicit setting wins because it
// records a choice, typically a contract's governing law, that no address
// can contradict.
type Chooser struct {
	fixed RuleSet // "" when chosen by country
	calcs map[RuleSet]*Calculator
}

// NewChooser builds the calculators once: ruleSet "" for "by country", else
// FR, EU, DE or UK for every debtor; rates and contractualRate as for New.
func NewChooser(ruleSet string, rates *Rates, contractualRate string) (*Chooser, error) {
	c := &Chooser{fixed: RuleSet(ruleSet), calcs: map[RuleSet]*Calculator{}}
	sets := []RuleSet{FR, EU, DE, UK}
	if ruleSet != "" {
		sets = []RuleSet{RuleSet(ruleSet)}
	}
	for _, rs := range sets {
		calc, err := New(string(rs), rates, contractualRate)
		if err != nil {
			return nil, err
		}
		c.calcs[rs] = calc
	}
	return c, nil
}

// RuleSet is the rule set that applies to a debtor in country.
func (c *Chooser) RuleSet(country string) RuleSet {
	if c.fixed != "" {
		return c.fixed
	}
	return ForCountry(country)
}

// For returns the calculator for a debtor in country.
func (c *Chooser) For(country string) *Calculator {
	calc, ok := c.calcs[c.RuleSet(country)]
	if !ok {
		panic(fmt.Sprintf("penalty: no calculator for %s", c.RuleSet(country))) // NewChooser built every one
	}
	return calc
}

// RuleSet is the calculator's rule set.
func (c *Calculator) RuleSet() RuleSet { return c.rules }

// Gaps returns the reference rates missing for day's half-year under every
// rule set the chooser applies: the fixed one, or all four when each
// client's country picks, since any import may bring a client from
// anywhere. A table two rule sets share (FR and EU both read the ECB rate)
// is reported once, under the first.
func (c *Chooser) Gaps(day time.Time) []Gap {
	var gaps []Gap
	seen := map[string]bool{}
	for _, rs := range []RuleSet{FR, EU, DE, UK} {
		calc, ok := c.calcs[rs]
		if !ok {
			continue
		}
		for _, g := range calc.Gaps(day) {
			if key := g.Table + g.Needed.Format(time.DateOnly); !seen[key] {
				seen[key] = true
				gaps = append(gaps, g)
			}
		}
	}
	return gaps
}

// CheckFloor checks the contractual rate against the floor of every rule set
// the chooser applies that has one (only French law sets one: FR), as
// Calculator.CheckFloor does. Chosen by country, that includes FR, since any
// client may be French; under a fixed rule set other than FR there is none.
func (c *Chooser) CheckFloor(through time.Time) error {
	for _, rs := range []RuleSet{FR, EU, DE, UK} {
		if calc, ok := c.calcs[rs]; ok {
			if err := calc.CheckFloor(through); err != nil {
				return err
			}
		}
	}
	return nil
}
