package preview

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/worker"
)

// TestPreviewDecidesAsTheSweep previews 100 days of a randomized portfolio,
// then runs the real sweep of each of those days, committed, with its
// messages marked sent as the send worker marks them; every day the preview
// must have listed exactly the real decisions. The portfolio has what made
// the two disagree before: clients without an email address or whose
// address bounces from some day, clients without a postal address (their
// letters are decided, and held in the preview), payments and credit notes
// allocated after the day (deposits allocated to invoices issued later among them), unapplied
// credits, disputes with and without an end, promises kept and broken
// (found so by the sweep's Settle, in the preview's transaction too),
// client pauses and exclusions, an insolvency, legal cases open and closed,
// two countries and rule-assigned profiles. The provision proposals of the sweep's review
// (provision steps that fired, an insolvency opened) must be the
// preview's too.
func TestPreviewDecidesAsTheSweep(t *testing.T) {
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db := pgtest.NewDB(t)
	start := clock.Date(2025, 4, 1)
	const days = 100
	invoices := randomPortfolio(t, db, rand.New(rand.NewPCG(42, 11)), start, days)
	caseClosed := randomCases(t, db, rand.New(rand.NewPCG(15, 60)), start, days, invoices)

	rep, err := Run(ctx, db, Options{Entity: "default", From: start, Days: days, Sweeper: sweeper(set), Plans: set})
	if err != nil {
		t.Fatal(err)
	}
	nothingWritten(t, db, 0)
	previewed := map[string][]string{}
	previewedProvisions := map[string][]string{}
	held, afterCase := 0, 0
	reasons := map[plans.Reason]int{}
	for _, d := range rep.Days {
		for _, m := range d.Messages {
			for _, l := range m.Invoices {
				previewed[d.Date] = append(previewed[d.Date], l.Number+"/"+l.StepID+"/"+m.Channel)
				if closed, ok := caseClosed[l.Number]; ok && !closed.IsZero() && closed.Format(time.DateOnly) <= d.Date {
					afterCase++
				}
			}
		}
		for _, a := range d.Actions {
			previewed[d.Date] = append(previewed[d.Date], a.Number+"/"+a.StepID+"/")
		}
		for _, p := range d.Provisions {
			previewedProvisions[d.Date] = append(previewedProvisions[d.Date], fmt.Sprintf("%s/%s/%d/%d", p.Number, p.Cause, p.RateBP, p.Amount))
		}
		held += len(d.Held)
		for _, h := range d.Held {
			reasons[h.Reason]++
			// A letter to a client without a postal address is decided
			// (the sweep records it) and failed by the send worker: held
			// in the preview. The default plan's one letter is level5.
			if h.Reason == NoPostalAddress {
				previewed[d.Date] = append(previewed[d.Date], h.Number+"/level5/registered_letter")
			}
		}
	}

	s := sweeper(set)
	jobs := insertOnly(t, db)
	total, actions := 0, 0
	causes := map[string]int{}
	var kept, broken, lapsed int
	for n := range days {
		day := start.AddDate(0, 0, n)
		res := sweepAndSend(t, db, s, jobs, day)
		kept, broken, lapsed = kept+res.Settled.PromisesKept, broken+res.Settled.PromisesBroken, lapsed+res.Settled.DisputesLapsed
		var got []string
		for _, dec := range res.Decisions {
			got = append(got, invoices[dec.InvoiceID]+"/"+dec.StepID+"/"+dec.Channel)
			if dec.Kind == plans.Action {
				actions++
			}
		}
		want := previewed[day.Format(time.DateOnly)]
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: sweep %v, preview %v", day.Format(time.DateOnly), got, want)
		}
		total += len(got)
		var gotProvisions []string
		for _, p := range res.Proposals {
			gotProvisions = append(gotProvisions, fmt.Sprintf("%s/%s/%d/%d", invoices[p.InvoiceID], p.Cause, p.RateBP, p.Amount))
			causes[p.Cause]++
		}
		wantProvisions := previewedProvisions[day.Format(time.DateOnly)]
		sort.Strings(gotProvisions)
		sort.Strings(wantProvisions)
		if !slices.Equal(gotProvisions, wantProvisions) {
			t.Errorf("%s: sweep proposed %v, preview %v", day.Format(time.DateOnly), gotProvisions, wantProvisions)
		}
	}
	if actions == 0 || causes["age"] == 0 || causes["insolvency"] == 0 {
		t.Errorf("%d action steps, provisions proposed %v over %d days: want actions and proposals by age and by insolvency",
			actions, causes, days)
	}
	if total < 100 || held < 100 {
		t.Errorf("%d decisions and %d held over %d days: the portfolio exercises too little", total, held, days)
	}
	if afterCase == 0 {
		t.Error("the preview never listed an invoice after its case closed: the portfolio exercises too little")
	}
	for _, r := range []plans.Reason{plans.Paused, plans.Dispute, plans.Promise, plans.Case, plans.Gap, plans.NetBalance, plans.Insolvency, NoEmail, Bouncing, NoPostalAddress} {
		if reasons[r] == 0 {
			t.Errorf("the preview never held an invoice for %q: the portfolio exercises too little (%v)", r, reasons)
		}
	}
	if kept == 0 || broken == 0 || lapsed == 0 {
		t.Errorf("the sweeps found %d promises kept, %d broken, %d disputes lapsed: want some of each", kept, broken, lapsed)
	}
	t.Logf("%d invoices, %d decisions (%d actions) over %d days; provisions %v; held %v; promises kept %d, broken %d; disputes lapsed %d",
		len(invoices), total, actions, days, causes, reasons, kept, broken, lapsed)
}

// randomPortfolio writes clients, invoices, credit notes, payments and their
// allocations (with settled and allocated kept as the importer keeps them),
// disputes, promises, pauses and exclusions around [start, start+days), and
// returns the invoice numbers by id.
func randomPortfolio(t *testing.T, db *pgxpool.Pool, rng *rand.Rand, start time.Time, days int) map[int64]string {
	t.Helper()
	ctx := context.Background()
	day := func(from, span int) time.Time { return start.AddDate(0, 0, from+rng.IntN(span)) }
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	id := func(sql string, args ...any) int64 {
		t.Helper()
		var v int64
		if err := db.QueryRow(ctx, sql, args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return v
	}
	// allocate settles amount of invoice from a payment or a credit note
	// (source id 0: an imported settlement), applied on a day.
	allocate := func(invoice int64, source string, from int64, amount int64, on time.Time) {
		var payment, creditNote any
		switch source {
		case "payment":
			payment = from
			exec(`UPDATE payment SET allocated = allocated + $2 WHERE id = $1`, from, amount)
		case "credit_note":
			creditNote = from
			exec(`UPDATE invoice SET settled = settled - $2 WHERE id = $1`, from, amount)
		}
		exec(`INSERT INTO allocation (invoice_id, source, payment_id, credit_note_id, amount, applied_on) VALUES ($1, $2, $3, $4, $5, $6)`,
			invoice, source, payment, creditNote, amount, on)
		exec(`UPDATE invoice SET settled = settled + $2 WHERE id = $1`, invoice, amount)
	}
	numbers := map[int64]string{}
	for i := range 30 {
		code := fmt.Sprintf("R%02d", i)
		emails := []string{code + "@example.fr"}
		if i%6 == 1 {
			emails = []string{} // no address: the letters go, the emails are held
		}
		c := id(`INSERT INTO client (entity_id, code, name, emails, country, payer_score)
			VALUES (1, $1, 'Client ' || $1, $2, $3, $4) RETURNING id`,
			code, emails, []string{"FR", "FR", "DE"}[i%3], []string{"A", "B", "C", "D", "E"}[rng.IntN(5)])
		if i%5 != 3 { // i%5 == 3: no postal address, the letters fail
			exec(`UPDATE client SET address_line1 = '1 rue de la Paix', postcode = '75002', city = 'Paris' WHERE id = $1`, c)
		}
		switch {
		case i%6 == 2:
			exec(`UPDATE client SET email_bouncing_since = $2, email_bounce_reason = '550 no such user' WHERE id = $1`, c, day(0, days))
		case i == 9:
			exec(`UPDATE client SET insolvency_opened_on = $2 WHERE id = $1`, c, day(20, 40))
		}
		var ids []int64
		var amounts []int64
		for j := range 1 + rng.IntN(5) {
			due := day(-150, days+70)
			amount := int64(5000 + rng.IntN(900000))
			number := fmt.Sprintf("%s-%d", code, j)
			v := id(`INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, amount_excl_vat)
				VALUES (1, $1, $2, $3, $4, $5::bigint, $5::bigint * 10 / 12) RETURNING id`, c, number, due.AddDate(0, 0, -30), due, amount)
			numbers[v] = number
			ids, amounts = append(ids, v), append(amounts, amount)
			switch rng.IntN(7) {
			case 0: // paid in full on a day of the run
				p := id(`INSERT INTO payment (entity_id, client_id, received_on, amount) VALUES (1, $1, $2, $3) RETURNING id`,
					c, day(0, days), amount)
				allocate(v, "payment", p, amount, day(0, days))
			case 1: // a deposit received before the invoice was issued, dated with the payment
				on := due.AddDate(0, 0, -30-1-rng.IntN(30))
				p := id(`INSERT INTO payment (entity_id, client_id, received_on, amount) VALUES (1, $1, $2, $3) RETURNING id`,
					c, on, amount/2)
				allocate(v, "payment", p, amount/2, on)
			case 2: // a credit note issued during the run, allocated later
				cnOn := day(0, days)
				cn := id(`INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, amount_incl_vat, applies_to_id)
					VALUES (1, $1, $2, 'credit_note', $3, $3, $4, $5) RETURNING id`, c, "AV-"+number, cnOn, -amount/3, v)
				allocate(v, "credit_note", cn, amount/3, cnOn.AddDate(0, 0, rng.IntN(20)))
			case 3:
				var until, resolved any
				opened := day(-10, days)
				switch rng.IntN(3) {
				case 0:
					resolved = opened.AddDate(0, 0, 1+rng.IntN(30))
				case 1:
					until = opened.AddDate(0, 0, rng.IntN(30))
				}
				exec(`INSERT INTO dispute (invoice_id, reason, opened_on, resolved_on, until) VALUES ($1, 'quality', $2, $3, $4)`,
					v, opened, resolved, until)
			case 4: // a promise of all of it or of half; half paid in time keeps it, else it breaks
				from := day(-5, days)
				span := rng.IntN(20)
				until := from.AddDate(0, 0, span)
				var promised any
				if rng.IntN(3) > 0 {
					promised = amount / 2
					if rng.IntN(3) > 0 {
						p := id(`INSERT INTO payment (entity_id, client_id, received_on, amount) VALUES (1, $1, $2, $3) RETURNING id`,
							c, from, amount/2)
						allocate(v, "payment", p, amount/2, from.AddDate(0, 0, rng.IntN(span+1)))
					}
				}
				exec(`INSERT INTO promise (invoice_id, client_id, promised_on, pay_by, until, amount) VALUES ($1, $2, $3, $4, $4, $5)`,
					v, c, from, until, promised)
			case 5: // partly paid before the run, sometimes below min_amount
				allocate(v, "import", 0, amount-int64(rng.IntN(3000)), day(-20, 20))
			}
		}
		switch i % 7 {
		case 3, 5: // a pause, with an end, resumed early or not
			from := day(-5, days)
			var resumed any
			if rng.IntN(2) == 0 {
				resumed = from.AddDate(0, 0, 1+rng.IntN(15))
			}
			exec(`INSERT INTO pause (client_id, kind, from_on, until, resumed_on, reason, created_by) VALUES ($1, 'pause', $2, $3, $4, 'r', 'test')`,
				c, from, from.AddDate(0, 0, 5+rng.IntN(25)), resumed)
		case 4: // an exclusion, lifted or not
			from := day(0, days)
			var lifted any
			if rng.IntN(2) == 0 {
				lifted = from.AddDate(0, 0, 1+rng.IntN(30))
			}
			exec(`INSERT INTO pause (client_id, kind, from_on, resumed_on, reason, created_by) VALUES ($1, 'exclusion', $2, $3, 'r', 'test')`,
				c, from, lifted)
		}
		if i%4 == 1 { // an unapplied payment, sometimes covering everything, allocated later or never
			amount := int64(rng.IntN(1500000)) + 1
			p := id(`INSERT INTO payment (entity_id, client_id, received_on, amount) VALUES (1, $1, $2, $3) RETURNING id`,
				c, day(-10, days), amount)
			if k := rng.IntN(len(ids) + 1); k < len(ids) && amounts[k] >= amount {
				allocate(ids[k], "payment", p, amount, day(0, days+30))
			}
		}
	}
	return numbers
}

// randomCases opens a legal case on about one invoice in four, around
// [start, start+days), closed (lost) some days later or still open, and
// returns the day each case closed (zero while open) by invoice number. It
// draws from its own generator, so the portfolio stays as randomPortfolio
// made it.
func randomCases(t *testing.T, db *pgxpool.Pool, rng *rand.Rand, start time.Time, days int, invoices map[int64]string) map[string]time.Time {
	t.Helper()
	ids := make([]int64, 0, len(invoices))
	for id := range invoices {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	closed := map[string]time.Time{}
	for _, id := range ids {
		if rng.IntN(4) != 0 {
			continue
		}
		from := start.AddDate(0, 0, rng.IntN(days)-10)
		var to time.Time
		var closedOn any
		if rng.IntN(2) == 0 {
			to = from.AddDate(0, 0, 1+rng.IntN(40))
			closedOn = to
		}
		closed[invoices[id]] = to
		if _, err := db.Exec(context.Background(), `WITH c AS (
				INSERT INTO legal_case (entity_id, client_id, procedure, currency, opened_on, closed_on, outcome, opened_by)
				SELECT 1, client_id, 'injonction_de_payer', currency, $2, $3, CASE WHEN $3::date IS NOT NULL THEN 'lost' END, 'test'
				FROM invoice WHERE id = $1 RETURNING id)
			INSERT INTO legal_case_invoice (case_id, invoice_id, claimed, held_from, held_to) SELECT c.id, $1, 1, $2, $3 FROM c`,
			id, from, closedOn); err != nil {
			t.Fatal(err)
		}
	}
	return closed
}

// sweepAndSend runs the real sweep of day, committed, and marks its new
// messages sent that day, as the send worker does once it delivered them.
func sweepAndSend(t *testing.T, db *pgxpool.Pool, s *worker.Sweeper, jobs worker.JobInserter, day time.Time) worker.SweepResult {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	res, err := s.Run(ctx, tx, jobs, day, worker.SweepOptions{Now: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, j := range res.Jobs {
		ids = append(ids, j.ReminderIDs...)
	}
	if _, err := db.Exec(ctx, `UPDATE reminder SET status = 'sent', sent_at = $2, sent_on = $3 WHERE id = ANY ($1)`,
		ids, day.Add(12*time.Hour), day); err != nil {
		t.Fatal(err)
	}
	return res
}

// insertOnly is a River client that only inserts jobs.
func insertOnly(t *testing.T, db *pgxpool.Pool) *river.Client[pgx.Tx] {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[worker.SendArgs]) error { return nil }))
	c, err := river.NewClient(riverpgxv5.New(db), &river.Config{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
