package worker

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/provision"
)

// TestSandboxFirstDayReviewsAsTheDaemonWould: a sandbox carries the
// provision review's state over (sandbox_review.sql), so its first day
// reviews only what may have changed since the daemon's last review. After
// real sweeps through Tuesday 2025-04-15, then writes the daemon has not
// reviewed, the first day of a sandbox, from that same day (swept already:
// its rows are left out of the twin and decided again) and from the next,
// books and proposes exactly what the full review of the same sandbox
// books (its carried state made stale), and what the daemon's own sweep of
// that day books on the real tables (rolled back), while it prices fewer
// invoices than the full review:
//   - F-TOUCH, provisioned, paid in part after the last review (a write
//     the review has not read): a reversal;
//   - F-WAKE, provisioned at 50 % (risky, 91–120 days), 121 days late on
//     04-16, a day with no write (its wake day): the rest provisioned;
//   - F-NEW, its provision step (+91) due on 04-16: a new proposal;
//   - F-DISP, its provision step (+91) due on 04-15 held by a dispute
//     resolved after that day's sweep: proposed by the sandbox's own
//     decision of 04-15, a step the review has not seen, recorded with an
//     id after the last one it saw (the twin leaves out the rows of 04-15,
//     six reminders of invoices paid since);
//   - F-INS2, issued before its client's insolvency and imported after the
//     last review (no trigger on an insert): doubtful by the insolvency.
func TestSandboxFirstDayReviewsAsTheDaemonWould(t *testing.T) {
	m, err := provision.NewMatrix([]int{30, 60, 90, 120}, map[string]int{"d91_120": 2500, "d121_plus": 10000},
		map[string]map[string]int{"risky": {"d91_120": 5000}}, 10000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	s := &Sweeper{Plans: riskyProvisionPlan(), Calendars: testCalendars(), Provision: m}
	jobs := insertOnlyClient(t, pool)
	act := func(day string) ledger.Act { return ledger.Act{Actor: "cli:test", Day: d(day)} }
	disputes := ledger.New(pool, ledger.Options{DisputeReasons: []string{"price"}})
	a, b := f.client("A", "a@example.fr"), f.client("B", "b@example.fr")
	touch := f.invoice(a, "F-TOUCH", "2024-12-01", "2025-01-01", 120000)
	f.invoice(a, "F-WAKE", "2024-11-16", "2024-12-16", 90000)
	f.invoice(b, "F-NEW", "2024-12-15", "2025-01-15", 60000)
	f.invoice(b, "F-DISP", "2024-12-14", "2025-01-14", 48000)
	f.invoice(b, "F-STILL", "2024-12-01", "2025-01-01", 30000) // provisioned, nothing changes
	// Reminded on 04-15 and paid after: rows of that day the sandbox
	// leaves out and does not decide again.
	var paid []int64
	for _, number := range []string{"F-PAID1", "F-PAID2", "F-PAID3", "F-PAID4", "F-PAID5", "F-PAID6"} {
		paid = append(paid, f.invoice(b, number, "2025-03-14", "2025-04-14", 20000))
	}
	ins := f.client("I", "i@example.fr")
	f.exec(`UPDATE client SET insolvency_kind = 'liquidation', insolvency_opened_on = '2025-03-01' WHERE id = $1`, ins)
	f.invoice(ins, "F-INS1", "2025-01-10", "2025-02-10", 36000)
	for day := d("2025-04-01"); !day.After(d("2025-04-15")); day = day.AddDate(0, 0, 1) {
		if formatDay(day) == "2025-04-10" {
			if _, err := disputes.OpenDispute(t.Context(), act("2025-04-10"), ledger.DisputeOpening{Invoice: "F-DISP", Reason: "price",
				Until: d("2025-04-30")}); err != nil {
				t.Fatal(err)
			}
		}
		sweepAndSend(t, pool, s, jobs, day)
	}
	// After the sweep of 04-15, before any other.
	if _, err := disputes.ResolveDispute(t.Context(), act("2025-04-15"), "F-DISP", "paid"); err != nil {
		t.Fatal(err)
	}
	f.pay(touch, "2025-04-15", 60000)
	for _, id := range paid {
		f.pay(id, "2025-04-15", 20000)
	}
	f.invoice(ins, "F-INS2", "2025-02-01", "2025-03-03", 24000)

	for _, from := range []string{"2025-04-15", "2025-04-16"} {
		carried, pricedCarried := firstReview(t, pool, s, d(from), "carried")
		full, pricedFull := firstReview(t, pool, s, d(from), "full")
		if !slices.Equal(carried, full) {
			t.Errorf("from %s, the sandbox's first review booked\n%s\nthe full review of the same sandbox\n%s", from,
				strings.Join(carried, "\n"), strings.Join(full, "\n"))
		}
		daemon, _ := firstReview(t, pool, s, d(from), "daemon")
		if !slices.Equal(carried, daemon) {
			t.Errorf("from %s, the sandbox's first review booked\n%s\nthe daemon's sweep of the day\n%s", from,
				strings.Join(carried, "\n"), strings.Join(daemon, "\n"))
		}
		if pricedCarried >= pricedFull {
			t.Errorf("from %s, the sandbox's first review priced %d invoices, the full one %d: it does not follow what changed",
				from, pricedCarried, pricedFull)
		}
		want := []string{"booked F-TOUCH " + from + " reversal settled", "booked F-DISP " + from + " provision age",
			"booked F-INS2 " + from + " provision insolvency", "proposed F-DISP " + from, "proposed F-INS2 " + from}
		if from == "2025-04-16" {
			want = append(want, "booked F-WAKE 2025-04-16 provision age", "booked F-NEW 2025-04-16 provision age",
				"proposed F-NEW 2025-04-16")
		}
		for _, w := range want {
			if !slices.ContainsFunc(carried, func(s string) bool { return strings.HasPrefix(s, w) }) {
				t.Errorf("from %s, nothing like %q: the scenario no longer tests what it says\n%s", from, w, strings.Join(carried, "\n"))
			}
		}
		t.Logf("from %s: priced %d (full %d)\n%s", from, pricedCarried, pricedFull, strings.Join(carried, "\n"))
	}
}

// firstReview sweeps day in a transaction it rolls back and returns what
// the day booked (the journal entries it added), the proposals and what is
// booked for each invoice after it, and how many invoices the review
// priced: in a sandbox ("carried"), in a sandbox whose carried review state
// is made stale ("full"), or on the real tables ("daemon").
func firstReview(t *testing.T, pool *pgxpool.Pool, s *Sweeper, day time.Time, how string) ([]string, int) {
	t.Helper()
	ctx := t.Context()
	// Repeatable read, as the preview's: the sandbox's copies of one snapshot.
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // the point: nothing is kept
	var jobs JobInserter = insertOnlyClient(t, pool)
	opts := SweepOptions{Now: true}
	if how != "daemon" {
		if err := Sandbox(ctx, tx, day); err != nil {
			t.Fatal(err)
		}
		jobs, opts.Sandboxed = nopInserter{}, true
	}
	if how == "full" {
		if _, err := tx.Exec(ctx, `UPDATE provision_review_state SET valid = false`); err != nil {
			t.Fatal(err)
		}
	}
	var before int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM journal_entry`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(ctx, tx, jobs, day, opts)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, `
		SELECT 'booked ' || i.number || ' ' || e.day || ' ' || e.kind || ' ' || e.cause || ' ' || e.amount || ' ' ||
		       coalesce(e.rate_bp::text, '-') || ' ' || coalesce(e.tax_deductible::text, '-')
		FROM journal_entry e JOIN invoice i ON i.id = e.invoice_id WHERE e.id > $1
		UNION ALL
		SELECT 'proposed ' || i.number || ' ' || p.proposed_on || ' ' || p.cause || ' ' || p.rate_bp || ' ' || p.amount || ' ' ||
		       coalesce(p.settled_on::text, 'open') || ' ' || coalesce(p.profile, '-')
		FROM provision p JOIN invoice i ON i.id = p.invoice_id
		UNION ALL
		SELECT 'holds ' || i.number || ' ' || sum(CASE e.kind WHEN 'provision' THEN e.amount ELSE -e.amount END)
		FROM journal_entry e JOIN invoice i ON i.id = e.invoice_id
		WHERE e.kind IN ('provision', 'reversal') GROUP BY i.number
		ORDER BY 1`, before)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgxCollectStrings(rows)
	if err != nil {
		t.Fatal(err)
	}
	return out, res.Priced
}
