package worker

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/provision"
	"github.com/relance/relance/plans"
)

// riskyProvisionPlan is plans/default.yaml's risky profile as far as
// provisioning goes: a provision step at +91 days.
func riskyProvisionPlan() *plans.Set {
	p := &plans.Profile{
		Name:     "risky",
		Settings: plans.Settings{MinGap: 5, MinAmount: 1000, Calendar: "FR"},
		Steps: []plans.Step{
			{ID: "level1", Offset: 1, Channel: "email", Template: "level1", Kind: plans.Ladder, Level: 1},
			{ID: "provision", Offset: 91, Action: "provision", Kind: plans.Action},
		},
	}
	return &plans.Set{Version: 1, Profiles: []*plans.Profile{p}, Assign: []plans.Rule{{Profile: "risky"}}}
}

// TestProvisionWaitsForARate: the risky profile's provision step fires at
// +91 days, where the default matrix (100% at 121+) has no rate: nothing is
// proposed then (no proposal of 0), and the proposal comes the day the
// invoice reaches 121 days. With a rate for the profile at 91–120, the
// proposal comes at 91 days and a further provision at 121. Replaying a past
// day books nothing.
func TestProvisionWaitsForARate(t *testing.T) {
	withRate, err := provision.NewMatrix([]int{30, 60, 90, 120}, map[string]int{"d121_plus": 10000},
		map[string]map[string]int{"risky": {"d91_120": 5000}}, 10000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		matrix provision.Matrix
		want   []string
	}{
		// 1,200.00 incl. VAT imported without its amount excl. VAT: 20%
		// assumed, 1,000.00. Due 2025-01-01: +91 = 04-02, +121 = 05-02.
		{"default matrix", provision.Matrix{}, []string{
			"2025-05-02 reclassification age 1200.00", "2025-05-02 provision age 1000.00"}},
		{"risky at 50% from 91 days", withRate, []string{
			"2025-04-02 reclassification age 1200.00", "2025-04-02 provision age 500.00", "2025-05-02 provision age 500.00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pool := pgtest.NewDB(t)
			f := fixture{t, pool}
			inv := f.invoice(f.client("R", "r@example.fr"), "F-R", "2024-12-01", "2025-01-01", 120000)
			f.exec(`UPDATE invoice SET amount_excl_vat = NULL WHERE id = $1`, inv)
			s := &Sweeper{Plans: riskyProvisionPlan(), Calendars: testCalendars(), Provision: tc.matrix}
			jobs := insertOnlyClient(t, pool)
			proposals := 0
			for day := d("2025-03-30"); !day.After(d("2025-05-10")); day = day.AddDate(0, 0, 1) {
				proposals += len(sweepDay(t, pool, s, jobs, day).Proposals)
			}
			sweepDay(t, pool, s, jobs, d("2025-04-15")) // a replay
			got := entries(t, pool)
			if !slices.Equal(got, tc.want) {
				t.Errorf("journal\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			var zero, n int
			if err := pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE amount = 0), count(*) FROM provision`).Scan(&zero, &n); err != nil ||
				zero != 0 || n != 1 || proposals != 1 {
				t.Errorf("%d proposals (%d of 0, %d counted by the sweeps), want one above 0 (%v)", n, zero, proposals, err)
			}
		})
	}
}

// TestProvisionFollowsPaymentsAndInsolvency: a doubtful invoice's provision
// falls with a partial payment, rises with an insolvency rate above the
// matrix's, is reversed in full when the rest is paid, and comes back when
// that payment is undone.
func TestProvisionFollowsPaymentsAndInsolvency(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	// 1,200.00 incl. VAT, 1,000.00 excl. (imported), due 2025-01-01: the
	// standard provision step at +121 fires on 05-02, with a matrix of 50%
	// at 121+ and 100% under insolvency.
	inv := f.invoice(f.client("S", "s@example.fr"), "F-S", "2024-12-01", "2025-01-01", 120000)
	m, err := provision.NewMatrix([]int{30, 60, 90, 120}, map[string]int{"d121_plus": 5000}, nil, 10000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars(), Provision: m}
	jobs := insertOnlyClient(t, pool)
	sweepDay(t, pool, s, jobs, d("2025-05-02"))
	f.pay(inv, "2025-05-10", 60000) // half paid: base 500.00, provision 250.00
	sweepDay(t, pool, s, jobs, d("2025-05-12"))
	f.exec(`UPDATE client SET insolvency_kind = 'liquidation', insolvency_opened_on = '2025-05-20' WHERE code = 'S'`)
	sweepDay(t, pool, s, jobs, d("2025-05-20")) // 100% of 500.00
	f.pay(inv, "2025-06-03", 60000)             // a dividend pays the rest
	sweepDay(t, pool, s, jobs, d("2025-06-03"))
	var settled string
	if err := pool.QueryRow(t.Context(), `SELECT settled_on::text FROM provision`).Scan(&settled); err != nil || settled != "2025-06-03" {
		t.Errorf("proposal settled on %q (%v), want 2025-06-03", settled, err)
	}
	// The dividend's transfer bounces: the invoice is open again, and so is its provision.
	f.exec(`DELETE FROM allocation WHERE invoice_id = $1 AND applied_on = '2025-06-03'`, inv)
	f.exec(`UPDATE invoice SET settled = settled - 60000 WHERE id = $1`, inv)
	sweepDay(t, pool, s, jobs, d("2025-06-10"))
	want := []string{
		"2025-05-02 reclassification age 1200.00",
		"2025-05-02 provision age 500.00",
		"2025-05-12 reversal settled 250.00",
		"2025-05-20 provision insolvency 250.00",
		"2025-06-03 reversal settled 500.00",
		"2025-06-10 provision insolvency 500.00",
	}
	if got := entries(t, pool); !slices.Equal(got, want) {
		t.Errorf("journal\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var deductible []bool
	rows, err := pool.Query(t.Context(), `SELECT tax_deductible FROM journal_entry WHERE kind <> 'reclassification' ORDER BY day, id`)
	if err != nil {
		t.Fatal(err)
	}
	if deductible, err = pgx.CollectRows(rows, pgx.RowTo[bool]); err != nil {
		t.Fatal(err)
	}
	// The matrix's provision and its reversal are not deductible; the
	// insolvency's and the final reversal (of a deductible provision) are.
	if !slices.Equal(deductible, []bool{false, false, true, true, true}) {
		t.Errorf("deductible %v", deductible)
	}
}

// TestPhoneCallFallsOnABusinessDay: an action fires on any day the sweep
// runs, but the call it asks for is due on the client's next business day.
func TestPhoneCallFallsOnABusinessDay(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	c := f.client("K", "k@example.fr")
	f.exec(`UPDATE client SET profile = 'risky' WHERE id = $1`, c)
	f.invoice(c, "F-K", "2025-03-01", "2025-04-02", 50000) // Wednesday; the call at +3 is Saturday 04-05
	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars(d("2025-04-07"))}
	res := sweepDay(t, pool, s, insertOnlyClient(t, pool), d("2025-04-05"))
	var due string
	if err := pool.QueryRow(t.Context(), `SELECT due_on::text FROM task WHERE kind = 'phone_call'`).Scan(&due); err != nil || due != "2025-04-08" || res.Tasks != 1 {
		t.Errorf("call due %s (%v, %d tasks), want Tuesday 2025-04-08: Monday 04-07 is a holiday here", due, err, res.Tasks)
	}
}

func entries(t *testing.T, pool interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}) []string {
	t.Helper()
	rows, err := pool.Query(t.Context(), `SELECT day::text || ' ' || kind || ' ' || cause || ' ' || to_char(amount / 100.0, 'FM999990.00')
		FROM journal_entry ORDER BY day, CASE kind WHEN 'reclassification' THEN 1 WHEN 'provision' THEN 2 ELSE 3 END, id`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}
