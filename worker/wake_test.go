package worker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
)

// TestFastSweepDecidesAsTheFullSweep: the daily sweep that reads only the
// invoices whose wake day has come (sweep_wake, migration 00161) decides
// exactly what the sweep reading the whole ledger as of the day decides, day
// after day over 80 days of a randomized portfolio that changes under it:
// payments dated ahead (allocations that do not count yet), disputes opened
// and resolved, invoices excluded and included again, due dates moved, new
// invoices, a plan whose min_gap changes on day 40, and send jobs that meet
// every fate (sent that day or days later, failed, dropped and decided
// again), clients changing score or profile (the wake follows the client's
// profile), and from day 60 an assign rule on the net balance. Each day the
// full sweep runs first in a transaction rolled back,
// then the fast one, committed; both must decide the same (invoice, step)
// pairs, tasks and provisions, and the fast one must have read through the
// wake days.
//
// Twice: with the calendars as they are, and with FR's calendar closed for
// twelve days, over which pre-due notices are moved back further than any
// weekend: the wake days' pre-due lead comes from the calendars loaded.
func TestFastSweepDecidesAsTheFullSweep(t *testing.T) {
	t.Run("calendars as they are", func(t *testing.T) { fastSweepDecidesAsTheFullSweep(t, frCalendars, time.Time{}) })
	closure := d("2025-04-24") // a Thursday: the day before is a business day
	shut := weekendCalendar{}
	for i := range 12 {
		shut[closure.AddDate(0, 0, i)] = true
	}
	closed := func(country string) (Calendar, error) {
		if country == "FR" {
			return shut, nil
		}
		return frCalendars(country)
	}
	t.Run("a twelve-day closure", func(t *testing.T) { fastSweepDecidesAsTheFullSweep(t, closed, closure) })
}

// fastSweepDecidesAsTheFullSweep runs the comparison with calendars; with a
// closure, invoices of FR clients fall due inside and just after it, and
// some pre-due notice must be decided on the business day before it for a
// due date + offset more than a week into it.
func fastSweepDecidesAsTheFullSweep(t *testing.T, calendars CalendarFor, closure time.Time) {
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	rng := rand.New(rand.NewPCG(16, 121))
	start := d("2025-04-01")
	randDay := func(from, span int) time.Time { return start.AddDate(0, 0, from+rng.IntN(span)) }
	var invoices []int64
	newInvoice := func(client int64, n int, issued time.Time) {
		due := issued.AddDate(0, 0, rng.IntN(90))
		id := f.invoice(client, fmt.Sprintf("W-%d-%d", client, n), formatDay(issued), formatDay(due), money.Amount(5000+rng.IntN(500000)))
		if rng.IntN(4) == 0 { // paid on a day of the run, recorded now: it does not count before
			f.pay(id, formatDay(randDay(-10, 80)), money.Amount(5000))
		}
		invoices = append(invoices, id)
	}
	var clients []int64
	for i := range 12 {
		c := f.id(`INSERT INTO client (entity_id, code, name, emails, country, payer_score, profile)
			VALUES (1, $1, $1, '{x@example.fr}', $2, $3, nullif($4, '')) RETURNING id`,
			fmt.Sprintf("W%02d", i), []string{"FR", "DE"}[i%2], []string{"A", "C", "E"}[i%3], []string{"", "key_account"}[min(i%5, 1)])
		clients = append(clients, c)
		for j := range 2 + rng.IntN(4) {
			newInvoice(c, j, randDay(-200, 200))
		}
		if !closure.IsZero() && i%2 == 0 { // FR: due inside the closure and just after it
			for j := range 8 {
				f.invoice(c, fmt.Sprintf("X-%d-%d", c, j), formatDay(closure.AddDate(0, 0, -60)),
					formatDay(closure.AddDate(0, 0, 8+2*j)), money.Amount(300000))
			}
		}
	}
	s := &Sweeper{Plans: set, Calendars: calendars}
	jobs := insertOnlyClient(t, pool)
	ctx := context.Background()
	for n := range 80 {
		day := start.AddDate(0, 0, n)
		switch n {
		case 40: // a plan change resets every wake day
			set.Profiles[0].MinGap += 3
		case 60: // a rule on the net balance: every invoice wakes for every profile's steps
			limit := money.Amount(200000)
			set.Assign = append([]plans.Rule{{Profile: "risky", MaxOutstanding: &limit}}, set.Assign...)
		}
		full := sweepRolledBack(t, pool, s, day)
		fast := sweepDayWith(t, pool, s, jobs, day, SweepOptions{Now: true})
		if n > 0 && !fast.Fast {
			t.Fatalf("%s: the daily sweep read the whole ledger", formatDay(day))
		}
		if got, want := decisionKeys(fast), decisionKeys(full); !slices.Equal(got, want) {
			t.Fatalf("%s: the fast sweep decided\n%v\nthe full sweep\n%v", formatDay(day), got, want)
		}
		if !closure.IsZero() && day.Equal(closure.AddDate(0, 0, -1)) {
			// Notices moved back over the closure by more than a week: due
			// 17 days or more after its start, the offset −7 or −10 days
			// (a −5-day notice falls after the closure).
			var early int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM reminder r JOIN invoice i ON i.id = r.invoice_id
				WHERE r.due_on = $1 AND r.level = 0 AND i.due_date >= $1::date + 18`, day).Scan(&early); err != nil {
				t.Fatal(err)
			}
			if early == 0 {
				t.Fatalf("%s: no pre-due notice moved back over the closure: the case tests nothing", formatDay(day))
			}
		}
		if fast.Tasks != full.Tasks || len(fast.Proposals) != len(full.Proposals) {
			t.Fatalf("%s: fast sweep %d tasks, %d provisions; full sweep %d, %d", formatDay(day),
				fast.Tasks, len(fast.Proposals), full.Tasks, len(full.Proposals))
		}
		// The day's messages meet their fates, and the ledger moves.
		for _, q := range []string{
			`UPDATE reminder SET status = 'sent', sent_on = $1, sent_at = now() WHERE status = 'pending' AND due_on = $1 AND random() < 0.6`,
			`UPDATE reminder SET status = 'sent', sent_on = $1, sent_at = now() WHERE status = 'pending' AND due_on < $1 AND random() < 0.5`,
			`UPDATE reminder SET status = 'failed', drop_reason = 'bounce' WHERE status = 'pending' AND due_on < $1 AND random() < 0.1`,
			`UPDATE reminder SET status = 'dropped', drop_reason = 'job_deleted' WHERE status = 'pending' AND due_on < $1 AND random() < 0.2`,
		} {
			f.exec(q, day)
		}
		switch rng.IntN(7) {
		case 6: // another score or profile: the client may take another profile
			f.exec(`UPDATE client SET payer_score = $2, profile = nullif($3, '') WHERE id = $1`, clients[rng.IntN(len(clients))],
				[]string{"A", "C", "E"}[rng.IntN(3)], []string{"", "", "key_account"}[rng.IntN(3)])
		case 0:
			f.exec(`INSERT INTO dispute (invoice_id, reason, opened_on, until) VALUES ($1, 'r', $2, $3)`,
				invoices[rng.IntN(len(invoices))], day, day.AddDate(0, 0, rng.IntN(20)))
		case 1:
			f.exec(`UPDATE invoice SET excluded = NOT excluded WHERE id = $1`, invoices[rng.IntN(len(invoices))])
		case 2:
			f.exec(`UPDATE invoice SET due_date = due_date + $2::int WHERE id = $1`, invoices[rng.IntN(len(invoices))], rng.IntN(41)-20)
		case 3:
			newInvoice(clients[rng.IntN(len(clients))], 100+n, day.AddDate(0, 0, -rng.IntN(150)))
		case 4:
			f.pay(invoices[rng.IntN(len(invoices))], formatDay(day), money.Amount(20000))
		default:
			f.exec(`UPDATE dispute SET resolved_on = $1 WHERE resolved_on IS NULL AND opened_on < $1`, day)
		}
		if _, err := pool.Exec(ctx, `DELETE FROM river_job`); err != nil {
			t.Fatal(err)
		}
	}
}

// sweepRolledBack runs the full sweep of day (explain mode reads the whole
// ledger as of day) in a transaction it rolls back.
func sweepRolledBack(t *testing.T, pool *pgxpool.Pool, s *Sweeper, day time.Time) SweepResult {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // the point
	res, err := s.Run(ctx, tx, insertOnlyClient(t, pool), day, SweepOptions{Now: true, Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fast {
		t.Fatal("an explaining sweep read through the wake days")
	}
	return res
}

// decisionKeys lists a sweep's decisions as "invoice step level channel fresh".
func decisionKeys(r SweepResult) []string {
	var out []string
	for _, d := range r.Decisions {
		out = append(out, fmt.Sprintf("%d %s %d %s %v", d.InvoiceID, d.StepID, d.Level, d.Channel, d.Fresh))
	}
	slices.Sort(out)
	return out
}

// TestSweepWritesTheWakeOfAnInvoiceReadAnyway: an invoice paid off by a
// payment dated later sleeps ('infinity'), but is open on the days before
// the payment counts, so the fast sweep reads it anyway (a late settlement)
// and writes the next wake it computes for it. The wake rows of such
// invoices are looked up apart from those the wake brought (sweep.sql,
// `woke`): this is the row that lookup must not leave out.
func TestSweepWritesTheWakeOfAnInvoiceReadAnyway(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	c := f.client("LATE", "late@example.fr")
	inv := f.invoice(c, "F-LATE", "2025-01-02", "2025-02-03", 100000)
	other := f.invoice(c, "F-WOKE", "2025-01-02", "2025-02-03", 50000) // keeps the client owing
	s := &Sweeper{Plans: standardPlan(), Calendars: frCalendars}
	jobs := insertOnlyClient(t, pool)

	sweepDay(t, pool, s, jobs, d("2025-03-03"))
	f.exec(`UPDATE reminder SET status = 'sent', sent_on = due_on, sent_at = now() WHERE status = 'pending'`)
	f.pay(inv, "2025-04-30", 100000) // paid off, the payment dated later
	if w := wakeOn(t, pool, inv); w != "infinity" {
		t.Fatalf("an invoice paid off wakes on %s, want infinity: the case tests nothing", w)
	}
	res := sweepDay(t, pool, s, jobs, d("2025-03-04"))
	if !res.Fast {
		t.Fatal("the second sweep read the whole ledger")
	}
	if w := wakeOn(t, pool, inv); w == "infinity" || w <= "2025-03-04" {
		t.Fatalf("the invoice read anyway (open until its payment counts) wakes on %s: its next wake was not written", w)
	}
	if w := wakeOn(t, pool, other); w <= "2025-03-04" {
		t.Fatalf("the other invoice wakes on %s, not after the day", w)
	}
}

// wakeOn is the wake day of an invoice in sweep_wake, as text.
func wakeOn(t *testing.T, pool *pgxpool.Pool, id int64) string {
	t.Helper()
	var w string
	if err := pool.QueryRow(context.Background(), `SELECT wake_on::text FROM sweep_wake WHERE invoice_id = $1`, id).Scan(&w); err != nil {
		t.Fatal(err)
	}
	return w
}
