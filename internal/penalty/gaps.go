package penalty

import (
	"fmt"
	"time"
)

// Gap is a reference rate a rule set needs for a half-year that its table
// does not know yet: the calculation carries the last known rate forward,
// which is right only if the rate has not moved.
type Gap struct {
	Rules    RuleSet
	Table    string
	HalfYear time.Time // 1 January or 1 July
	Needed   time.Time // the reference day: the rate in force then is the half-year's
	Known    time.Time // the table is known up to this day (zero: empty table)
}

func (g Gap) Error() string {
	return fmt.Sprintf("penalty rates: %s rules: %s has no entry for the half-year from %s (it needs the rate in force on %s; the table is known up to %s, whose rate is carried forward): add it to rates.yaml or to the file of penalties.rates_file",
		g.Rules, g.Table, g.HalfYear.Format(time.DateOnly), g.Needed.Format(time.DateOnly), g.Known.Format(time.DateOnly))
}

// Gaps returns the reference rates the rule set needs for the half-year
// containing day that its tables do not know: the statutory rate's table,
// and under FR the legal interest rate that sets the floor of a contractual
// rate.
func (c *Calculator) Gaps(day time.Time) []Gap {
	half := halfYearStart(day)
	type need struct {
		table string
		day   time.Time
	}
	b, _ := c.Basis(day) // Table and Day are set even when the rate is missing
	needs := []need{{b.Table, b.Day}}
	if c.rules == FR {
		needs = append(needs, need{FRLegal, half})
	}
	var gaps []Gap
	for _, n := range needs {
		if known := c.rates.KnownThrough(n.table); known.Before(n.day) {
			gaps = append(gaps, Gap{Rules: c.rules, Table: n.table, HalfYear: half, Needed: n.day, Known: known})
		}
	}
	return gaps
}

// HalfYear returns the first and last days of the half-year containing day.
func HalfYear(day time.Time) (first, last time.Time) {
	first = halfYearStart(day)
	return first, first.AddDate(0, 6, -1)
}
