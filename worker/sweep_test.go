package worker

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/relance/relance/internal/pgtest"
)

// TestSweepLadder steps one invoice through the standard plan with weekends
// and checks the day of every step by hand.
func TestSweepLadder(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	c := f.client("C1", "c1@example.fr")
	// Due Monday 2025-03-10. pre_due at -5 = Wed 03-05; level1 at +1 = Tue 03-11;
	// level2 at +15 = Tue 03-25; level3 at +31 = Thu 04-10; level4 at +45 = Thu 04-24;
	// level5 at +61 = Sat 05-10 → Mon 05-12; provision at +121 = Wed 07-09.
	f.invoice(c, "F1", "2025-02-08", "2025-03-10", 120000)
	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars()}
	jobs := insertOnlyClient(t, pool)
	var got []string
	for day := d("2025-03-01"); !day.After(d("2025-07-31")); day = day.AddDate(0, 0, 1) {
		res := sweepDay(t, pool, s, jobs, day)
		for _, dec := range res.Decisions {
			got = append(got, fmt.Sprintf("%s %s", formatDay(day), dec.StepID))
		}
	}
	want := []string{
		"2025-03-05 pre_due", "2025-03-11 level1", "2025-03-25 level2", "2025-04-10 level3",
		"2025-04-24 level4", "2025-05-12 level5", "2025-07-09 provision",
	}
	if !slices.Equal(got, want) {
		t.Errorf("decisions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
