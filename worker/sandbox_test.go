package worker

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/relance/relance/internal/pgtest"
)

// sandboxPortfolio seeds what makes a sweep write every table it writes,
// from Monday 2025-03-03 on:
//   - F-HIST (due 2025-02-03) had level1 sent on 2025-02-04 and level2
//     decided on 2025-02-18 but sent only on 2025-03-05, and level3 really
//     decided on 2025-03-06: in a sandbox from 2025-03-03, level2 counts as
//     sent on 03-03 and level3 comes 7 days after (Monday 03-10), not on
//     03-06;
//   - F-OLD (due 2024-10-01, 150 days late) is provisioned;
//   - F-RISK is a risky client's: a phone call on 03-04 (+3d);
//   - F-PROM has a promise broken on 03-05, F-DISP a dispute lapsing
//     after 03-04, and client INSOLV an insolvency published: a claim
//     declaration task.
func sandboxPortfolio(t *testing.T, pool *pgxpool.Pool) fixture {
	f := fixture{t, pool}
	hist := f.invoice(f.client("HIST", "h@example.fr"), "F-HIST", "2025-01-04", "2025-02-03", 100000)
	f.exec(`INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_on)
		SELECT $1, client_id, 'standard', v.step, v.level, 'email', v.step, v.due::date, 'sent', v.sent::date
		FROM invoice, (VALUES ('level1', 1, '2025-02-04', '2025-02-04'), ('level2', 2, '2025-02-18', '2025-03-05'),
		                      ('level3', 3, '2025-03-06', '2025-03-06')) v(step, level, due, sent)
		WHERE id = $1`, hist)
	f.invoice(f.client("OLD", "o@example.fr"), "F-OLD", "2024-09-01", "2024-10-01", 200000)
	risk := f.client("RISK", "r@example.fr")
	f.exec(`UPDATE client SET payer_score = 'D' WHERE id = $1`, risk)
	f.invoice(risk, "F-RISK", "2025-01-30", "2025-03-01", 30000)
	prom := f.invoice(f.client("PROM", "p@example.fr"), "F-PROM", "2025-01-15", "2025-02-14", 40000)
	f.exec(`INSERT INTO promise (invoice_id, client_id, promised_on, pay_by, until)
		SELECT id, client_id, '2025-02-20', '2025-03-04', '2025-03-04' FROM invoice WHERE id = $1`, prom)
	disp := f.invoice(f.client("DISP", "d@example.fr"), "F-DISP", "2025-01-15", "2025-02-14", 40000)
	f.exec(`INSERT INTO dispute (invoice_id, reason, opened_on, until) VALUES ($1, 'price', '2025-02-20', '2025-03-04')`, disp)
	insolv := f.client("INSOLV", "i@example.fr")
	f.exec(`UPDATE client SET insolvency_opened_on = '2025-02-10', insolvency_published_on = '2025-02-20' WHERE id = $1`, insolv)
	f.invoice(insolv, "F-INSOLV", "2025-01-15", "2025-02-14", 40000)
	return f
}

// sandboxDays runs the sweep of each day from from through to in a
// sandbox, each day's messages sent that day (as the preview's simulation
// does), and returns "day step invoice" lines of the decisions.
func sandboxDays(t *testing.T, ctx context.Context, tx pgx.Tx, s *Sweeper, from, to time.Time) []string {
	t.Helper()
	if err := Sandbox(ctx, tx, from); err != nil {
		t.Fatal(err)
	}
	var got []string
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		res, err := s.Run(ctx, tx, nopInserter{}, day, SweepOptions{Now: true, Sandboxed: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, dec := range res.Decisions {
			var number string
			if err := tx.QueryRow(ctx, `SELECT number FROM invoice WHERE id = $1`, dec.InvoiceID).Scan(&number); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s %s %s", formatDay(day), dec.StepID, number))
		}
		if _, err := tx.Exec(ctx, `UPDATE reminder SET status = 'sent', sent_on = $1 WHERE status = 'pending' AND due_on = $1`, day); err != nil {
			t.Fatal(err)
		}
	}
	return got
}

// TestSandboxedSweepsWriteNoRealTable runs two weeks of sweeps that
// provision, call, settle a promise, lapse a dispute and file a claim
// declaration, in a sandbox: the decisions follow the history as it stood
// on the first morning, no real table is locked for writing while they
// run, and nothing remains once the transaction is rolled back.
func TestSandboxedSweepsWriteNoRealTable(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	sandboxPortfolio(t, pool)
	before := pgtest.Footprint(t, pool)
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars()}
	got := sandboxDays(t, ctx, tx, s, d("2025-03-03"), d("2025-03-14"))
	has := func(line string) bool { return slices.Contains(got, line) }
	for _, line := range []string{
		"2025-03-03 provision F-OLD", "2025-03-03 level1 F-OLD", "2025-03-03 level1 F-RISK", "2025-03-04 call F-RISK",
		"2025-03-05 level1 F-PROM", "2025-03-05 level1 F-DISP", "2025-03-10 level3 F-HIST",
	} {
		if !has(line) {
			t.Errorf("no %q in:\n%s", line, strings.Join(got, "\n"))
		}
	}
	for _, line := range got {
		if strings.HasSuffix(line, "F-INSOLV") || line == "2025-03-06 level3 F-HIST" {
			t.Errorf("decided %q", line)
		}
	}

	// Locks this transaction holds: none for writing on a real table, and
	// no sweep lock.
	rows, err := tx.Query(ctx, `SELECT l.locktype || ' ' || coalesce(c.relname, l.objid::text) || ' ' || l.mode
		FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation
		WHERE l.pid = pg_backend_pid() AND (l.locktype = 'advisory'
		   OR (l.locktype = 'relation' AND c.relpersistence <> 't' AND l.mode NOT IN ('AccessShareLock')))
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	locks, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(locks) > 0 {
		t.Errorf("the sandbox holds locks on real tables: %s", strings.Join(locks, "; "))
	}
	// Inside the sandbox the writes are there.
	var provisions, tasks, kept int
	if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM provision), (SELECT count(*) FROM task),
		(SELECT count(*) FROM promise WHERE status = 'broken')`).Scan(&provisions, &tasks, &kept); err != nil {
		t.Fatal(err)
	}
	// Two provisions: F-OLD's provision step, and F-INSOLV made doubtful
	// by its client's insolvency (the review's trigger, whatever the age).
	if provisions != 2 || tasks != 2 || kept != 1 {
		t.Errorf("in the sandbox: %d provisions, %d tasks, %d broken promises; want 2 (step, insolvency), 2 (call, claim declaration), 1", provisions, tasks, kept)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if after := pgtest.Footprint(t, pool); after != before {
		t.Errorf("after the sandbox: %s\nbefore: %s", after, before)
	}
}

// TestSandboxDoesNotHoldTheDaemonBack runs a real sweep, committed, while a
// sandbox that has swept the same day is still open: it neither waits for
// the sandbox (lock_timeout turns a wait into an error) nor sees anything
// of it.
func TestSandboxDoesNotHoldTheDaemonBack(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	sandboxPortfolio(t, pool)
	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars()}
	box, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer box.Rollback(ctx)
	sandboxDays(t, ctx, box, s, d("2025-03-05"), d("2025-03-05"))

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '20s'`); err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(ctx, tx, nopInserter{}, d("2025-03-05"), SweepOptions{Now: true})
	if err != nil {
		t.Fatalf("the real sweep waited for the sandbox: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// F-HIST's level3 is history in the real ledger (decided 03-06, after
	// this day): the real sweep of 03-05 finds level2 still out on 03-05.
	if got := strings.Join(decisionsNumbers(t, pool, res), " "); !strings.Contains(got, "provision F-OLD") || !strings.Contains(got, "level1 F-PROM") {
		t.Errorf("real sweep decided %s", got)
	}
	var promises string
	if err := pool.QueryRow(ctx, `SELECT string_agg(status, ',') FROM promise`).Scan(&promises); err != nil {
		t.Fatal(err)
	}
	if promises != "broken" {
		t.Errorf("promise after the real sweep: %s", promises)
	}
}

// decisionsNumbers names a result's decisions "step number".
func decisionsNumbers(t *testing.T, pool *pgxpool.Pool, res SweepResult) []string {
	t.Helper()
	var out []string
	for _, dec := range res.Decisions {
		var number string
		if err := pool.QueryRow(context.Background(), `SELECT number FROM invoice WHERE id = $1`, dec.InvoiceID).Scan(&number); err != nil {
			t.Fatal(err)
		}
		out = append(out, dec.StepID+" "+number)
	}
	return out
}

// TestSandboxedRunRefusesARealTransaction: a sandboxed run takes no sweep
// lock, so it must not run on the real tables.
func TestSandboxedRunRefusesARealTransaction(t *testing.T) {
	ctx := context.Background()
	tx := pgtest.Tx(t)
	s := &Sweeper{Plans: standardPlan(), Calendars: testCalendars()}
	_, err := s.Run(ctx, tx, nopInserter{}, d("2025-03-05"), SweepOptions{Sandboxed: true})
	if err == nil || !strings.Contains(err.Error(), "business_day, dispute, event, journal_entry, promise, provision, provision_review_state, provision_review_touch, provision_review_wake, reminder, sweep_net_sleep, sweep_state, sweep_wake, task not shadowed") {
		t.Fatalf("err = %v", err)
	}
}

// nopInserter enqueues nothing: a simulated day's messages are described,
// never sent.
type nopInserter struct{}

func (nopInserter) InsertManyFastTx(context.Context, pgx.Tx, []river.InsertManyParams) (int, error) {
	return 0, nil
}
