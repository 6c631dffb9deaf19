package worker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
)

// TestSweepAgreesWithResolve runs the SQL sweep over 100 days of a
// randomized portfolio (payments, disputes with and without an end,
// promises kept and broken, client pauses and exclusions, an insolvency,
// legal cases open and closed, unapplied credits, two countries,
// rule-assigned and explicit profiles) and checks every day's decisions
// against plans.Resolve, the reference, invoice by invoice. Each day's send jobs meet a random fate, as under faults: sent
// that day, sent days later (pending on a live job meanwhile), or dead
// (discarded, cancelled, deleted) after some days, when the reconciliation
// returns their rows to the sweep. The sweeps run in explain mode (as the
// preview runs them): every invoice the sweep says it held back must be
// held by Resolve for the same reason.
func TestSweepAgreesWithResolve(t *testing.T) {
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	rng := rand.New(rand.NewPCG(42, 6))
	start := d("2025-04-01")
	const days = 100
	type alloc struct {
		day    time.Time
		amount money.Amount
	}
	// A window holds from `from`; to is the first day it no longer holds
	// (resolved, resumed), until its last day; zero for none.
	type window struct{ from, to, until time.Time }
	holds := func(ws []window, day time.Time) bool {
		for _, w := range ws {
			if !w.from.After(day) && (w.to.IsZero() || w.to.After(day)) && (w.until.IsZero() || !w.until.Before(day)) {
				return true
			}
		}
		return false
	}
	// A promise holds from `from` through until, and ends the day its
	// amount is paid (kept, ledger.Settle).
	type promise struct {
		from, until time.Time
		amount      money.Amount
	}
	type inv struct {
		id, client int64
		due        time.Time
		amount     money.Amount
		allocs     []alloc
		disputes   []window
		promises   []promise
		cases      []window
	}
	type cli struct {
		id                 int64
		country, score     string
		profile            string
		insolvent          time.Time
		credits            []alloc // unapplied payments received
		pauses, exclusions []window
	}
	var clients []*cli
	var invoices []*inv
	randDay := func(from, span int) time.Time { return start.AddDate(0, 0, from+rng.IntN(span)) }
	for i := range 14 {
		c := &cli{country: []string{"FR", "FR", "DE"}[i%3], score: []string{"A", "B", "C", "D", "E"}[rng.IntN(5)]}
		if i%5 == 0 {
			c.profile = "key_account"
		}
		c.id = f.id(`INSERT INTO client (entity_id, code, name, emails, country, payer_score, profile)
			VALUES (1, $1, $1, '{x@example.fr}', $2, $3, nullif($4, '')) RETURNING id`,
			fmt.Sprintf("R%02d", i), c.country, c.score, c.profile)
		if i == 3 {
			c.insolvent = randDay(20, 40)
			f.exec(`UPDATE client SET insolvency_opened_on = $2 WHERE id = $1`, c.id, c.insolvent)
		}
		clients = append(clients, c)
		for j := range 1 + rng.IntN(5) {
			v := &inv{client: c.id, due: randDay(-150, 170), amount: money.Amount(500 + rng.IntN(900000))}
			v.id = f.invoice(c.id, fmt.Sprintf("R%02d-%d", i, j), "2024-10-01", formatDay(v.due), v.amount)
			switch rng.IntN(5) {
			case 0: // paid in full on a day of the run
				v.allocs = append(v.allocs, alloc{randDay(0, days), v.amount})
			case 1: // partly paid, sometimes below min_amount
				v.allocs = append(v.allocs, alloc{randDay(-20, days), v.amount - money.Amount(rng.IntN(3000))})
			case 2: // a dispute, resolved or not, with an end or not
				from := randDay(-10, days)
				w := window{from: from}
				if rng.IntN(2) == 0 {
					w.to = from.AddDate(0, 0, 1+rng.IntN(30))
				}
				if rng.IntN(2) == 0 {
					w.until = from.AddDate(0, 0, rng.IntN(25))
				}
				v.disputes = append(v.disputes, w)
			case 3: // a promise of all of it, or of half, sometimes paid in time (kept)
				from := randDay(-5, days)
				span := rng.IntN(25)
				pr := promise{from: from, until: from.AddDate(0, 0, span), amount: v.amount}
				if rng.IntN(3) > 0 { // mostly kept, some days before its end
					pr.amount = v.amount / 2
					v.allocs = append(v.allocs, alloc{from.AddDate(0, 0, rng.IntN(span/2+3)), v.amount / 2})
				}
				v.promises = append(v.promises, pr)
			}
			for _, a := range v.allocs {
				f.pay(v.id, formatDay(a.day), a.amount)
			}
			for _, w := range v.disputes {
				f.exec(`INSERT INTO dispute (invoice_id, reason, opened_on, resolved_on, until) VALUES ($1, 'r', $2, $3, $4)`,
					v.id, w.from, nullDay(w.to), nullDay(w.until))
			}
			for _, pr := range v.promises {
				f.exec(`INSERT INTO promise (invoice_id, client_id, promised_on, pay_by, until, amount)
					SELECT id, client_id, $2, $3, $3, $4 FROM invoice WHERE id = $1`, v.id, pr.from, pr.until, int64(pr.amount))
			}
			invoices = append(invoices, v)
		}
		if i%4 == 2 { // a pause, with an end or resumed or both
			from := randDay(-5, days)
			w := window{from: from, until: from.AddDate(0, 0, 5+rng.IntN(30))}
			if rng.IntN(2) == 0 {
				w.to = from.AddDate(0, 0, 1+rng.IntN(20))
			}
			c.pauses = append(c.pauses, w)
		}
		if i%7 == 4 { // an exclusion, lifted or not
			w := window{from: randDay(0, days)}
			if rng.IntN(2) == 0 {
				w.to = w.from.AddDate(0, 0, 1+rng.IntN(40))
			}
			c.exclusions = append(c.exclusions, w)
		}
		for kind, ws := range map[string][]window{"pause": c.pauses, "exclusion": c.exclusions} {
			for _, w := range ws {
				f.exec(`INSERT INTO pause (client_id, kind, from_on, until, resumed_on, reason, created_by) VALUES ($1, $2, $3, $4, $5, 'r', 'test')`,
					c.id, kind, w.from, nullDay(w.until), nullDay(w.to))
			}
		}
		if i%4 == 1 { // an unapplied payment, sometimes covering everything
			a := alloc{randDay(-10, days), money.Amount(rng.IntN(2000000))}
			if a.amount > 0 {
				c.credits = append(c.credits, a)
				f.exec(`INSERT INTO payment (entity_id, client_id, received_on, amount) VALUES (1, $1, $2, $3)`, c.id, a.day, int64(a.amount))
			}
		}
	}

	// Legal cases on some invoices, open or closed, drawn from their own
	// generator so that the portfolio above stays as it is.
	caseRng := rand.New(rand.NewPCG(15, 60))
	for _, v := range invoices {
		if caseRng.IntN(4) != 0 {
			continue
		}
		w := window{from: start.AddDate(0, 0, caseRng.IntN(days)-10)}
		if caseRng.IntN(2) == 0 {
			w.to = w.from.AddDate(0, 0, 1+caseRng.IntN(40))
		}
		v.cases = append(v.cases, w)
		f.exec(`WITH c AS (
				INSERT INTO legal_case (entity_id, client_id, procedure, currency, opened_on, closed_on, outcome, opened_by)
				SELECT 1, client_id, 'injonction_de_payer', currency, $2, $3, CASE WHEN $3::date IS NOT NULL THEN 'lost' END, 'test'
				FROM invoice WHERE id = $1 RETURNING id)
			INSERT INTO legal_case_invoice (case_id, invoice_id, claimed, held_from, held_to) SELECT c.id, $1, 1, $2, $3 FROM c`,
			v.id, w.from, nullDay(w.to))
	}

	calendars := func(country string) (Calendar, error) { return calendar.For(country) }
	s := &Sweeper{Plans: set, Calendars: calendars}
	jobs := insertOnlyClient(t, pool)
	reference := map[int64][]*ledgerRec{}
	fates := newJobFates(t, pool, rng)
	byID := map[int64]*cli{}
	for _, c := range clients {
		byID[c.id] = c
	}
	outstandingAt := func(v *inv, day time.Time) money.Amount {
		o := v.amount
		for _, a := range v.allocs {
			if !a.day.After(day) {
				o -= a.amount
			}
		}
		return o
	}
	promised := func(v *inv, day time.Time) bool {
		for _, pr := range v.promises {
			if pr.from.After(day) || pr.until.Before(day) {
				continue
			}
			paid := money.Amount(0)
			kept := false
			for _, a := range v.allocs { // kept the day the payments in its window reach its amount
				if !a.day.Before(pr.from) && !a.day.After(pr.until) && !a.day.After(day) {
					if paid += a.amount; paid >= pr.amount {
						kept = true
					}
				}
			}
			if !kept {
				return true
			}
		}
		return false
	}
	total := 0
	reasons := map[plans.Reason]int{}   // why Resolve held an invoice back, over the run
	explained := map[plans.Reason]int{} // why the sweep's explain mode did
	var settled ledger.Settled          // what the sweeps' Settle found, over the run
	afterCase := 0                      // messages for invoices whose case had closed
	byInvoice := map[int64]*inv{}
	for _, v := range invoices {
		byInvoice[v.id] = v
	}
	closedBy := func(v *inv, day time.Time) bool {
		for _, w := range v.cases {
			if !w.to.IsZero() && !w.to.After(day) {
				return true
			}
		}
		return false
	}
	for n := range days {
		day := start.AddDate(0, 0, n)
		fates.kill(day) // jobs dying before this day's sweep
		net := map[int64]money.Amount{}
		for _, v := range invoices {
			net[v.client] += outstandingAt(v, day)
		}
		for _, c := range clients {
			for _, a := range c.credits {
				if !a.day.After(day) {
					net[c.id] -= a.amount
				}
			}
		}
		var want []string
		resolved := map[int64]plans.Reason{}
		for _, v := range invoices {
			c := byID[v.client]
			cal, _ := calendar.For(c.country)
			profile := set.ProfileFor(plans.Client{Profile: c.profile, Score: c.score, Outstanding: net[c.id], Country: c.country})
			dec := plans.Resolve(plans.Input{
				AsOf: day, DueDate: v.due, Outstanding: outstandingAt(v, day),
				Disputed: holds(v.disputes, day), Promised: promised(v, day), InCase: holds(v.cases, day),
				ClientPaused: holds(c.pauses, day), ClientExcluded: holds(c.exclusions, day),
				NetBalance: net[c.id], InsolvencyOpened: c.insolvent, Calendar: cal,
				Profile: profile, Ledger: entriesOf(reference[v.id]),
			})
			reasons[dec.Reason]++
			resolved[v.id] = dec.Reason
			if dec.Message != nil {
				want = append(want, fmt.Sprintf("%d/%s", v.id, dec.Message.ID))
			}
			for _, a := range dec.Actions {
				want = append(want, fmt.Sprintf("%d/%s", v.id, a.ID))
			}
		}
		res := sweepDayWith(t, pool, s, jobs, day, SweepOptions{Now: true, Explain: true})
		for _, h := range res.Held {
			explained[plans.Reason(h.Reason)]++
			if r := resolved[h.InvoiceID]; r != plans.Reason(h.Reason) {
				t.Errorf("%s: invoice %d: the sweep held it for %q, Resolve says %q", formatDay(day), h.InvoiceID, h.Reason, r)
			}
		}
		settled.PromisesKept += res.Settled.PromisesKept
		settled.PromisesBroken += res.Settled.PromisesBroken
		settled.DisputesLapsed += res.Settled.DisputesLapsed
		var got []string
		recs := map[int64]*ledgerRec{}
		for _, dec := range res.Decisions {
			got = append(got, fmt.Sprintf("%d/%s", dec.InvoiceID, dec.StepID))
			if dec.Kind != plans.Action && closedBy(byInvoice[dec.InvoiceID], day) {
				afterCase++
			}
			r := &ledgerRec{LedgerEntry: plans.LedgerEntry{StepID: dec.StepID, Day: day}}
			reference[dec.InvoiceID] = append(reference[dec.InvoiceID], r)
			recs[dec.ReminderID] = r
			if fates.seen[dec.ReminderID] {
				fates.count["revived"]++
			}
			fates.seen[dec.ReminderID] = true
		}
		fates.decide(day, res, recs)
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: sweep %v, Resolve %v", formatDay(day), got, want)
		}
		total += len(got)
	}
	if total < 60 {
		t.Errorf("only %d decisions over %d days: the portfolio exercises too little", total, days)
	}
	for _, fate := range []string{"same day", "late", "discarded", "cancelled", "deleted", "revived"} {
		if fates.count[fate] == 0 {
			t.Errorf("no job met the fate %q: the run exercises too little (%v)", fate, fates.count)
		}
	}
	// Each hold must have held something back on some day, and Settle must
	// have found promises kept and broken and disputes past their end.
	for _, r := range []plans.Reason{plans.Paused, plans.Excluded, plans.Dispute, plans.Promise, plans.Case, plans.Waiting, plans.Gap} {
		if reasons[r] == 0 {
			t.Errorf("Resolve never held an invoice for %q: the run exercises too little (%v)", r, reasons)
		}
		if explained[r] == 0 && r != plans.Excluded { // excluded is out of dunning, never explained as held
			t.Errorf("the sweep never explained a hold as %q: the run exercises too little (%v)", r, explained)
		}
	}
	if afterCase == 0 {
		t.Error("no message went out for an invoice after its case closed: the run exercises too little")
	}
	if explained[plans.Excluded] != 0 {
		t.Errorf("the sweep explained %d holds as excluded: an exclusion is out of dunning, not held", explained[plans.Excluded])
	}
	if settled.PromisesKept == 0 || settled.PromisesBroken == 0 || settled.DisputesLapsed == 0 {
		t.Errorf("settled over the run %+v: want promises kept and broken and disputes lapsed", settled)
	}
	t.Logf("%d invoices, %d decisions over %d days (%d messages after a case closed); jobs: %v; held: %v; explained: %v; settled: %+v",
		len(invoices), total, days, afterCase, fates.count, reasons, explained, settled)
}

// ledgerRec is one step of the reference ledger; dead once its job died.
type ledgerRec struct {
	plans.LedgerEntry
	dead bool
}

// entriesOf is the reference ledger Resolve reads: a step whose job died is
// not in it.
func entriesOf(recs []*ledgerRec) []plans.LedgerEntry {
	var out []plans.LedgerEntry
	for _, r := range recs {
		if !r.dead {
			out = append(out, r.LedgerEntry)
		}
	}
	return out
}

// jobFates plays the send side for the differential test: each send job is
// sent the day it was enqueued, sent days later, or dies days later
// (discarded after its last attempt, cancelled or deleted in River UI).
type jobFates struct {
	t     *testing.T
	pool  *pgxpool.Pool
	rng   *rand.Rand
	dying map[time.Time][]dyingJob // by the day before whose sweep they die
	seen  map[int64]bool           // reminder rows decided so far: one decided again was revived
	count map[string]int
}

type dyingJob struct {
	id   int64
	how  string
	recs []*ledgerRec
}

func newJobFates(t *testing.T, pool *pgxpool.Pool, rng *rand.Rand) *jobFates {
	return &jobFates{t: t, pool: pool, rng: rng, dying: map[time.Time][]dyingJob{}, seen: map[int64]bool{}, count: map[string]int{}}
}

// decide gives each of the day's send jobs its fate; recs are the day's
// reference entries by reminder id.
func (f *jobFates) decide(day time.Time, res SweepResult, recs map[int64]*ledgerRec) {
	for i, job := range res.Jobs {
		id := res.JobIDs[i]
		var mine []*ledgerRec
		for _, rid := range job.ReminderIDs {
			mine = append(mine, recs[rid])
		}
		switch p := f.rng.IntN(20); {
		case p < 13: // delivered that day
			f.send(id, job.ReminderIDs, day)
			f.count["same day"]++
		case p < 16: // delivered 1–4 days later: pending on a live job until then
			late := day.AddDate(0, 0, 1+f.rng.IntN(4))
			f.send(id, job.ReminderIDs, late)
			for _, r := range mine {
				r.SentOn = late
			}
			f.count["late"]++
		default: // pending, then dead 1–5 days later
			how := []string{"discarded", "cancelled", "deleted"}[f.rng.IntN(3)]
			at := day.AddDate(0, 0, 1+f.rng.IntN(5))
			for _, r := range mine {
				r.Waiting = true
			}
			f.dying[at] = append(f.dying[at], dyingJob{id: id, how: how, recs: mine})
			f.count[how]++
		}
	}
}

// send marks the rows of job id sent on day and completes the job.
func (f *jobFates) send(id int64, reminders []int64, on time.Time) {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `UPDATE reminder SET status = 'sent', sent_on = $2, sent_at = now(), job_id = $3 WHERE id = ANY ($1)`,
		reminders, on, id); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE river_job SET state = 'completed', finalized_at = now() WHERE id = $1`, id); err != nil {
		f.t.Fatal(err)
	}
}

// kill lets the jobs due to die before day's sweep die, in River's table as
// River or River UI would leave them, and takes their steps out of the
// reference ledger.
func (f *jobFates) kill(day time.Time) {
	f.t.Helper()
	ctx := context.Background()
	for at, jobs := range f.dying {
		if at.After(day) {
			continue
		}
		for _, j := range jobs {
			var err error
			switch j.how {
			case "discarded":
				_, err = f.pool.Exec(ctx, `UPDATE river_job SET state = 'discarded', finalized_at = now(), attempt = max_attempts,
					errors = ARRAY[jsonb_build_object('at', now(), 'attempt', max_attempts, 'error', 'mail: connect: dial tcp 127.0.0.1:25: connection refused')]
					WHERE id = $1`, j.id)
			case "cancelled":
				_, err = f.pool.Exec(ctx, `UPDATE river_job SET state = 'cancelled', finalized_at = now() WHERE id = $1`, j.id)
			case "deleted":
				_, err = f.pool.Exec(ctx, `DELETE FROM river_job WHERE id = $1`, j.id)
			}
			if err != nil {
				f.t.Fatal(err)
			}
			for _, r := range j.recs {
				r.dead = true
			}
		}
		delete(f.dying, at)
	}
}

// nullDay is SQL NULL for the zero day.
func nullDay(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
