package worker

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
)

// TestHeldInvoicesSleepUntilTheWrite: an invoice below min_amount, and the
// invoices of a client whose net balance is ≤ 0, sleep (their wake day is
// 'infinity', migration 00170: the daily sweep no longer reads them) until
// the write that ends the hold, and then take their step on the next sweep:
//   - a payment reversed lifts an invoice back above min_amount;
//   - a lower min_amount in the plan;
//   - a client's unapplied payment removed, and a credit note removed,
//     make the net balance positive again;
//   - an invoice issued after the day the client was found owing nothing
//     counts from its issue date, with no write on that day;
//   - and an invoice below min_amount only because a reopening dated later
//     does not count yet does not sleep: it takes its step on that day.
//
// Each day, the fast sweep decides what the sweep reading the whole ledger
// decides (as TestFastSweepDecidesAsTheFullSweep).
func TestHeldInvoicesSleepUntilTheWrite(t *testing.T) {
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	ctx := context.Background()

	// Due a month before the first day: level 1 is due on it, unless held.
	const issued, due = "2025-02-01", "2025-03-01"
	reversed := f.invoice(f.client("REV", "rev@example.fr"), "REV-1", issued, due, 100000)
	f.pay(reversed, "2025-03-10", 99500) // 5.00 left, below the 10.00 of min_amount
	lowered := f.invoice(f.client("LOW", "low@example.fr"), "LOW-1", issued, due, 100000)
	f.pay(lowered, "2025-03-10", 99400) // 6.00 left
	refund := f.client("PAY", "pay@example.fr")
	unapplied := f.invoice(refund, "PAY-1", issued, due, 50000)
	payment := f.id(`INSERT INTO payment (entity_id, client_id, received_on, amount) VALUES (1, $1, '2025-03-10', 60000) RETURNING id`, refund)
	credited := f.client("CRN", "crn@example.fr")
	creditNoted := f.invoice(credited, "CRN-1", issued, due, 50000)
	creditNote := f.id(`INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, amount_incl_vat)
		VALUES (1, $1, 'CRN-AV', 'credit_note', '2025-03-05', '2025-03-05', -60000) RETURNING id`, credited)
	later := f.client("LAT", "lat@example.fr")
	issuedLater := f.invoice(later, "LAT-1", issued, due, 50000)
	f.exec(`INSERT INTO payment (entity_id, client_id, received_on, amount) VALUES (1, $1, '2025-03-10', 60000)`, later)
	f.invoice(later, "LAT-2", "2025-04-07", "2025-06-07", 30000) // the net balance is positive from 7 April
	awake := f.invoice(f.client("AWK", "awk@example.fr"), "AWK-1", issued, due, 100000)
	reopened := f.invoice(f.client("REO", "reo@example.fr"), "REO-1", issued, due, 100000)
	f.pay(reopened, "2025-03-10", 99500)
	f.pay(reopened, "2025-04-03", -99500) // its closure reversed, from 3 April: 1,000.00 open again

	s := &Sweeper{Plans: set, Calendars: frCalendars}
	jobs := insertOnlyClient(t, pool)
	wake := func(id int64) string { t.Helper(); return wakeOn(t, pool, id) }
	decided := map[int64]time.Time{}
	day := d("2025-04-01") // a Tuesday
	sweep := func() {
		t.Helper()
		full := sweepRolledBack(t, pool, s, day)
		fast := sweepDayWith(t, pool, s, jobs, day, SweepOptions{Now: true})
		if !fast.Fast {
			t.Fatalf("%s: the daily sweep read the whole ledger", formatDay(day))
		}
		if got, want := decisionKeys(fast), decisionKeys(full); !slices.Equal(got, want) {
			t.Fatalf("%s: the fast sweep decided\n%v\nthe full sweep\n%v", formatDay(day), got, want)
		}
		for _, dc := range fast.Decisions {
			if dc.StepID == "level1" {
				decided[dc.InvoiceID] = day
			}
		}
		sendDay(t, pool, day)
		if _, err := pool.Exec(ctx, `DELETE FROM river_job`); err != nil {
			t.Fatal(err)
		}
		day = day.AddDate(0, 0, 1)
	}
	asleep := func(ids ...int64) {
		t.Helper()
		for _, id := range ids {
			if w := wake(id); w != "infinity" {
				t.Fatalf("%s: invoice %d held, its wake is %s, not asleep", formatDay(day), id, w)
			}
			if _, ok := decided[id]; ok {
				t.Fatalf("invoice %d held, yet level 1 was decided on %s", id, formatDay(decided[id]))
			}
		}
	}
	takes := func(id int64, on string) {
		t.Helper()
		if got, ok := decided[id]; !ok || !got.Equal(d(on)) {
			t.Fatalf("invoice %d: level 1 decided on %s (%v), want %s", id, formatDay(got), ok, on)
		}
	}

	sweep() // 1 April
	takes(awake, "2025-04-01")
	asleep(reversed, lowered, unapplied, creditNoted, issuedLater)
	var sleeping []int64
	if err := pool.QueryRow(ctx, `SELECT array_agg(client_id ORDER BY client_id) FROM sweep_net_sleep`).Scan(&sleeping); err != nil {
		t.Fatal(err)
	}
	if len(sleeping) != 3 {
		t.Fatalf("clients asleep for their net balance: %v, want the three owing nothing", sleeping)
	}
	sweep() // 2 April: nothing moves

	// The payment of REV-1 reversed: 1,000.00 open again.
	f.exec(`DELETE FROM allocation WHERE invoice_id = $1`, reversed)
	f.exec(`UPDATE invoice SET settled = 0 WHERE id = $1`, reversed)
	if w := wake(reversed); w != "-infinity" {
		t.Fatalf("the payment reversed left the wake at %s", w)
	}
	if w := wake(reopened); w == "infinity" {
		t.Fatal("REO-1, 5.00 open until a reopening dated 3 April counts, sleeps")
	}
	sweep() // 3 April
	takes(reversed, "2025-04-03")
	takes(reopened, "2025-04-03")
	asleep(lowered, unapplied, creditNoted, issuedLater)

	// PAY's unapplied payment removed, CRN's credit note deleted.
	f.exec(`DELETE FROM payment WHERE id = $1`, payment)
	f.exec(`DELETE FROM invoice WHERE id = $1`, creditNote)
	sweep() // 4 April, a Friday
	takes(unapplied, "2025-04-04")
	takes(creditNoted, "2025-04-04")
	asleep(lowered, issuedLater)

	sweep() // 5 April, 6 April: a weekend
	sweep()
	asleep(issuedLater)
	sweep() // 7 April: LAT-2 counts, LAT owes 200.00, with no write that day
	takes(issuedLater, "2025-04-07")

	// min_amount lowered to 5.00: LOW-1's 6.00 reaches it.
	for i := range set.Profiles {
		set.Profiles[i].MinAmount = money.Amount(500)
	}
	asleep(lowered)
	sweep() // 8 April
	takes(lowered, "2025-04-08")
	var left int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM sweep_net_sleep`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("clients still recorded asleep: %d (%v)", left, err)
	}
}
