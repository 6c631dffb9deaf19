package worker

import (
	"context"
	"fmt"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/mail/smtptest"
	"github.com/relance/relance/internal/pgtest"
)

// jobStates returns the state and attempt count of River jobs by id.
func jobStates(t *testing.T, h *harness, ids []int64) []string {
	t.Helper()
	return queryStrings(t, h.pool, `SELECT state || '/' || attempt FROM river_job WHERE id = ANY ($1) ORDER BY id`, ids)
}

// TestSendRetriesA421ThenDeliversOnce: the server answers 421 to the first
// MAIL FROM; River retries after the backoff and the message is delivered
// exactly once.
func TestSendRetriesA421ThenDeliversOnce(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	f.invoice(f.client("T", "t@client.example"), "FA-T1", "2025-08-01", "2025-09-01", 100000)
	h.srv.FailNext(smtptest.PhaseMail, 1, 421, "too busy, try again later")
	res, dr := h.day(d("2025-09-02")) // level1
	if dr.Completed != 1 || dr.Failed() != 0 {
		t.Fatalf("drain %+v, want one completed job", dr)
	}
	if got := jobStates(t, h, res.JobIDs); len(got) != 1 || got[0] != "completed/2" {
		t.Errorf("job %v, want completed on attempt 2", got)
	}
	if n := len(h.srv.Messages()); n != 1 {
		t.Errorf("%d messages delivered, want exactly 1", n)
	}
	var status string
	if err := pool.QueryRow(t.Context(), `SELECT status FROM reminder`).Scan(&status); err != nil || status != "sent" {
		t.Errorf("reminder %q (%v), want sent", status, err)
	}
}

// TestSendPermanentRejectionMarksTheAddress: a 550 on the recipient marks
// the client bouncing, fails the rows, records an event and cancels the job
// after one attempt; the next days decide no email step for the client.
func TestSendPermanentRejectionMarksTheAddress(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	c := f.client("GONE", "gone@client.example")
	f.invoice(c, "FA-G1", "2025-08-01", "2025-09-01", 100000)
	h.srv.RejectRecipient("gone@client.example", 550)
	res, dr := h.day(d("2025-09-02"))
	if dr.Cancelled != 1 {
		t.Fatalf("drain %+v, want the job cancelled", dr)
	}
	if got := jobStates(t, h, res.JobIDs); len(got) != 1 || got[0] != "cancelled/1" {
		t.Errorf("job %v, want cancelled after 1 attempt", got)
	}
	var bouncing bool
	var reason string
	if err := pool.QueryRow(t.Context(), `SELECT email_bouncing_since IS NOT NULL, coalesce(email_bounce_reason, '') FROM client WHERE id = $1`, c).Scan(&bouncing, &reason); err != nil {
		t.Fatal(err)
	}
	if !bouncing || !strings.Contains(reason, "550") {
		t.Errorf("client bouncing=%v reason=%q, want marked with the 550", bouncing, reason)
	}
	var status string
	var events int
	if err := pool.QueryRow(t.Context(), `SELECT status, (SELECT count(*) FROM event WHERE kind = 'email_bounced' AND client_id = $1) FROM reminder`, c).Scan(&status, &events); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || events != 1 {
		t.Errorf("reminder %s, %d bounce events; want failed and 1", status, events)
	}
	for day := d("2025-09-03"); day.Before(d("2025-10-15")); day = day.AddDate(0, 0, 1) {
		if res, _ := h.day(day); len(res.Jobs) != 0 {
			t.Fatalf("%s: %d messages enqueued for a bouncing address", formatDay(day), len(res.Jobs))
		}
	}
	if n := len(h.srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered, want none", n)
	}
}

// TestSendDropsWhatNoLongerQualifiesAndRevivesIt: a dispute opened between
// the sweep and the send drops the row with its reason; once the dispute is
// resolved the step is decided again and sent.
func TestSendDropsWhatNoLongerQualifiesAndRevivesIt(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	c := f.client("DR", "dr@client.example")
	inv := f.invoice(c, "FA-DR1", "2025-08-01", "2025-09-01", 100000)
	paid := f.invoice(c, "FA-DR2", "2025-08-01", "2025-09-01", 50000)
	day := d("2025-09-02")
	h.clock.set(day.Add(8 * time.Hour))
	// Sweep without working the jobs yet (the daemon's 07:00 sweep)…
	if err := h.client.QueuePause(t.Context(), QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	res := sweepDay(t, pool, h.sweeper, h.client, day)
	if len(res.Decisions) != 2 || len(res.Jobs) != 1 {
		t.Fatalf("decisions %v, jobs %d; want level1 for both invoices in one message", decisionsOf(res), len(res.Jobs))
	}
	// …then, before the send window, a dispute on one and a payment on the other.
	f.exec(`INSERT INTO dispute (invoice_id, reason, opened_on) VALUES ($1, 'prix', $2)`, inv, day)
	f.pay(paid, formatDay(day), 50000)
	if err := h.client.QueueResume(t.Context(), QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if dr, err := Drain(ctx, pool, res.JobIDs, 20*time.Millisecond, nil); err != nil || dr.Completed != 1 {
		t.Fatalf("drain %+v %v", dr, err)
	}
	rows, err := pool.Query(t.Context(), `SELECT invoice_id || ':' || status || ':' || coalesce(drop_reason, '') FROM reminder ORDER BY invoice_id`)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := pgxCollectStrings(rows)
	want := []string{fmt.Sprintf("%d:dropped:disputed", inv), fmt.Sprintf("%d:dropped:paid", paid)}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("ledger %v, want %v", got, want)
	}
	if n := len(h.srv.Messages()); n != 0 {
		t.Fatalf("%d messages sent for a disputed and a paid invoice", n)
	}
	// The dispute is resolved on 09-10: level1 is decided again and sent.
	f.exec(`UPDATE dispute SET resolved_on = '2025-09-10' WHERE invoice_id = $1`, inv)
	for day := d("2025-09-03"); !day.After(d("2025-09-10")); day = day.AddDate(0, 0, 1) {
		h.day(day)
	}
	msgs := readReceived(t, h.srv)
	if len(msgs) != 1 || msgs[0].String() != "2025-09-10 DR level1" || strings.Contains(msgs[0].text, "FA-DR2") {
		t.Errorf("messages %v, want level1 for FA-DR1 alone on 2025-09-10", msgs)
	}
}

// TestSweepTwiceAndTwoReplicasSendOnce runs the same day's sweep twice in a
// row, then sweeps concurrently from two goroutines while two River clients
// work the queues: every (invoice, step) reaches the SMTP server once.
func TestSweepTwiceAndTwoReplicasSendOnce(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	second := h.startClient()
	f := fixture{t, pool}
	for i := range 12 {
		c := f.client(fmt.Sprintf("K%02d", i), fmt.Sprintf("k%02d@client.example", i))
		for j := range 3 {
			f.invoice(c, fmt.Sprintf("FA-K%02d-%d", i, j), "2025-07-01", "2025-08-01", 100000)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	day := d("2025-09-01")
	h.clock.set(day.Add(10 * time.Hour))
	h.day(day)
	h.day(day) // the same day again: nothing new
	// Later days: sweeps race from two goroutines, through two clients.
	var ids []int64
	var mu sync.Mutex
	for _, day := range []time.Time{d("2025-09-08"), d("2025-09-15")} {
		h.clock.set(day.Add(10 * time.Hour))
		var wg sync.WaitGroup
		for _, c := range []*river.Client[pgxTx]{h.client, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tx, err := pool.Begin(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				defer tx.Rollback(ctx)
				res, err := h.sweeper.Run(ctx, tx, c, day, SweepOptions{Now: true})
				if err != nil {
					t.Error(err)
					return
				}
				if err := tx.Commit(ctx); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				ids = append(ids, res.JobIDs...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		// The day's messages go out before the next day's sweep: a level
		// still pending on its job would hold the next one back.
		if _, err := Drain(ctx, pool, ids, 20*time.Millisecond, nil); err != nil {
			t.Fatal(err)
		}
	}
	// And the periodic path: the same SweepArgs inserted twice is one job.
	r1, err := h.client.Insert(ctx, SweepArgs{Day: "2025-09-22"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := second.Insert(ctx, SweepArgs{Day: "2025-09-22"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r2.UniqueSkippedAsDuplicate || r1.Job.ID != r2.Job.ID {
		t.Errorf("second sweep job for the same day was not skipped as a duplicate")
	}
	h.clock.set(d("2025-09-22").Add(10 * time.Hour))
	if _, err := Drain(ctx, pool, append(ids, r1.Job.ID), 20*time.Millisecond, nil); err != nil {
		t.Fatal(err)
	}
	// Wait for the sends the sweep job enqueued.
	for {
		var open int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE finalized_at IS NULL`).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("jobs still running")
		case <-time.After(20 * time.Millisecond):
		}
	}
	counts := map[string]int{}
	for _, m := range readReceived(t, h.srv) {
		counts[m.String()]++
	}
	// 12 clients × level1 (09-01), level2 (09-08), level3 (09-15), level4 (09-22).
	if len(counts) != 48 {
		t.Errorf("%d distinct messages, want 48: %v", len(counts), counts)
	}
	for k, n := range counts {
		if n != 1 {
			t.Errorf("%s received %d times", k, n)
		}
	}
	var rows, sent int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM reminder`).Scan(&rows, &sent); err != nil {
		t.Fatal(err)
	}
	if rows != 12*3*4 || sent != rows {
		t.Errorf("ledger %d rows, %d sent; want 144 sent", rows, sent)
	}
}

// TestFileTransportWritesValidEml sends through the file transport and
// parses every .eml back with net/mail.
func TestFileTransportWritesValidEml(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	dir := t.TempDir()
	ft, err := mail.NewFile(dir, clock.Fixed(time.Date(2025, 9, 2, 9, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	h.sender.Mail = ft
	f := fixture{t, pool}
	f.invoice(f.client("EML", "eml@client.example"), "FA-E1", "2025-08-01", "2025-09-01", 100000)
	f.invoice(f.client("EML2", "eml2@client.example"), "FA-E2", "2025-08-01", "2025-09-01", 70000)
	if _, dr := h.day(d("2025-09-02")); dr.Completed != 2 {
		t.Fatalf("drain %+v", dr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 2 {
		t.Fatalf("%d .eml files, want 2", len(files))
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := netmail.ReadMessage(strings.NewReader(string(data)))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		to, err := msg.Header.AddressList("To")
		if err != nil || len(to) != 1 || !strings.HasSuffix(to[0].Address, "@client.example") {
			t.Errorf("%s: To %v %v", p, to, err)
		}
		if id := msg.Header.Get("Message-Id"); !strings.HasPrefix(id, "<relance.") || msg.Header.Get("X-Relance-Step") != "level1" {
			t.Errorf("%s: Message-Id %q, step %q", p, id, msg.Header.Get("X-Relance-Step"))
		}
		if body := textPart(t, data); !strings.Contains(body, "FA-E") {
			t.Errorf("%s: body does not list the invoice:\n%s", p, body)
		}
	}
}

// TestSendTemplateFailureFailsTheRowsOnce: a step naming a template that
// does not exist fails its rows with the reason and cancels the job; the
// client's address is not blamed.
func TestSendTemplateFailureFailsTheRowsOnce(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	set := standardPlan()
	set.Profiles[0].Steps[1].Template = "no_such_template"
	h.sweeper.Plans, h.sender.Plans = set, set
	f := fixture{t, pool}
	c := f.client("TPL", "tpl@client.example")
	f.invoice(c, "FA-TPL", "2025-08-01", "2025-09-01", 100000)
	res, dr := h.day(d("2025-09-02"))
	if dr.Cancelled != 1 {
		t.Fatalf("drain %+v, want the job cancelled", dr)
	}
	var status, reason string
	var bouncing bool
	if err := pool.QueryRow(t.Context(), `SELECT r.status, r.drop_reason, c.email_bouncing_since IS NOT NULL
		FROM reminder r JOIN client c ON c.id = r.client_id`).Scan(&status, &reason, &bouncing); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || !strings.Contains(reason, "no_such_template") || bouncing {
		t.Errorf("row %s (%s), client bouncing %v; want failed naming the template, address untouched", status, reason, bouncing)
	}
	if got := jobStates(t, h, res.JobIDs); got[0] != "cancelled/1" {
		t.Errorf("job %v", got)
	}
}
