package worker

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/pgtest"
)

// TestSendJobsInHandBeyondTheWorkers: River hands the process more send
// jobs than it has workers, so that its fetch (at most every 20 ms, never
// more jobs than free slots) does not pace the drain; the workers still
// bound the sends at once. With 2 workers and a relay pool of 6, River
// runs more than 2 jobs at a time while no more than 2 of the relay's
// connections are ever in use, and every message goes once.
func TestSendJobsInHandBeyondTheWorkers(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarnessWith(t, pool, func(h *harness) {
		tr, err := mail.NewSMTP(mail.SMTPConfig{Host: h.srv.Host, Port: h.srv.Port, TLS: "none", PoolSize: 6, Timeout: 10 * time.Second}, h.clock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tr.Close() })
		h.sender.Mail = &countingMailer{Mailer: tr}
	})
	h.srv.SetLatency(10 * time.Millisecond) // each SMTP command: a message takes the relay a while
	const clients = 12
	lateClients(fixture{t, pool}, clients)
	res := h.sweep(d("2025-09-02"))
	// Jobs in hand: running for River, their rows not sent yet (a job
	// whose rows are sent stays running until River's batch completes it).
	inHand, most := 0, 0
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dr, err := Drain(ctx, pool, res.JobIDs, 5*time.Millisecond, func(DrainResult) {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job j WHERE j.state = 'running' AND EXISTS (
			SELECT 1 FROM reminder r WHERE r.status = 'pending'
			  AND r.id IN (SELECT x::bigint FROM jsonb_array_elements_text(j.args -> 'reminder_ids') x))`).Scan(&inHand); err != nil {
			t.Error(err)
		}
		most = max(most, inHand)
	})
	if err != nil {
		t.Fatal(err)
	}
	if dr.Completed != clients {
		t.Fatalf("drain %+v, want %d completed", dr, clients)
	}
	if n := len(h.srv.Messages()); n != clients {
		t.Errorf("%d messages delivered, want %d, each once", n, clients)
	}
	if most := h.sender.Mail.(*countingMailer).most; most > 2 {
		t.Errorf("%d relay connections held at once, want at most 2: the workers bound the sends at once", most)
	}
	if most <= 2 {
		t.Errorf("at most %d jobs in hand at once, want more than the 2 workers", most)
	}
}

// lateClients makes n clients (A, B, …), each with one invoice due on
// 2025-09-01: each a message on 2025-09-02.
func lateClients(f fixture, n int) {
	for i := range n {
		code := string(rune('A' + i))
		f.invoice(f.client(code, code+"@client.example"), "FA-"+code, "2025-08-01", "2025-09-01", 100000)
	}
}

// TestSendJobsInHandUnderARateLimit: a relay with a rate limit paces the
// sends itself, and a job waiting for its turn would spend its timeout:
// River then hands out one job per worker.
func TestSendJobsInHandUnderARateLimit(t *testing.T) {
	for _, tc := range []struct{ workers, rate, want int }{
		{16, 0, 16 * sendJobsPerWorker},
		{1, 0, sendJobsPerWorker},
		{16, 30, 16},
		{2, 600, 2},
	} {
		if got := sendJobsInHand(tc.workers, tc.rate); got != tc.want {
			t.Errorf("sendJobsInHand(%d workers, %d a minute) = %d, want %d", tc.workers, tc.rate, got, tc.want)
		}
	}
}

// countingMailer notes the most relay connections held at once.
type countingMailer struct {
	Mailer
	mu         sync.Mutex
	held, most int
}

func (m *countingMailer) Acquire(ctx context.Context) (mail.Conn, error) {
	c, err := m.Mailer.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.held++
	m.most = max(m.most, m.held)
	m.mu.Unlock()
	return &countedConn{Conn: c, m: m}, nil
}

type countedConn struct {
	mail.Conn
	m    *countingMailer
	once sync.Once
}

func (c *countedConn) Release() {
	c.once.Do(func() {
		c.m.mu.Lock()
		c.m.held--
		c.m.mu.Unlock()
	})
	c.Conn.Release()
}

// TestSendTurnSnoozesAJobThatFindsNone: a job that finds every turn taken
// for its whole patience, or whose context ends while it waits, has sent
// nothing; it is snoozed, which spends no attempt, rather than failed, so a
// slow relay never makes River discard a reminder.
func TestSendTurnSnoozesAJobThatFindsNone(t *testing.T) {
	t.Parallel()
	w := &SendWorker{Concurrency: 1}
	done, err := w.turn(context.Background(), time.Second)
	if err != nil {
		t.Fatalf("first turn: %v", err)
	}
	var snooze *river.JobSnoozeError
	if _, err := w.turn(context.Background(), 10*time.Millisecond); !errors.As(err, &snooze) || snooze.Duration != turnSnooze {
		t.Fatalf("no turn within patience: got %v, want a snooze of %s", err, turnSnooze)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.turn(ctx, time.Minute); !errors.As(err, &snooze) || snooze.Duration != 0 {
		t.Fatalf("context ended while waiting: got %v, want a snooze of 0", err)
	}
	done()
	again, err := w.turn(context.Background(), time.Second)
	if err != nil {
		t.Fatalf("turn given back, taken again: %v", err)
	}
	again()
}

// TestDrainWaitsForJobsThatFoundNoTurn: jobs in hand that wait longer than
// their patience for one of the 2 turns are snoozed; a drain still sends
// every one of them. A snooze into the future counted as the freshness
// guard's hold (DrainResult.Held), and the drain stopped with the jobs that
// had found no turn unsent.
func TestDrainWaitsForJobsThatFoundNoTurn(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarnessWith(t, pool, func(h *harness) {
		h.sender.JobTimeout = time.Second // a patience of 0.5 s for a turn
	})
	// Each command 150 ms: a message holds its turn about 0.3 s (0.6 s
	// with the connection's greeting), so of the 8 jobs in hand, those
	// behind the first four wait longer than their patience.
	h.srv.SetLatency(150 * time.Millisecond)
	const clients = 8
	lateClients(fixture{t, pool}, clients)
	res := h.sweep(d("2025-09-02"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	snoozed := 0
	dr, err := Drain(ctx, pool, res.JobIDs, 20*time.Millisecond, func(DrainResult) {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE id = ANY ($1) AND metadata ? 'snoozes'`, res.JobIDs).Scan(&snoozed); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if dr.Completed != clients || dr.Waiting != 0 {
		t.Errorf("drain %+v, want %d completed and none waiting", dr, clients)
	}
	if snoozed == 0 {
		t.Error("no job was snoozed for want of a turn: the test shows nothing")
	}
}
