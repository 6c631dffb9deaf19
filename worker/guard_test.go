package worker

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/relance/relance/internal/pgtest"
)

// holding is a freshness guard that holds every send while hold is set.
type holding struct {
	mu    sync.Mutex
	hold  bool
	asked int
}

func (g *holding) Stale(string, time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.asked++
	return g.hold
}

func (g *holding) Hold(context.Context, int64) (time.Duration, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.asked++
	if g.hold {
		// Long enough that the snooze is written before it ends: River's
		// batch completer writes it up to a flush later, and a snooze
		// already over when written never shows as held to the drain
		// (under load, 200 ms did not).
		return 2 * time.Second, nil
	}
	return 0, nil
}

func (g *holding) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hold = false
}

// TestSendHeldForStaleDataIsSnoozedNotFailed: while the guard holds, the
// send job is snoozed — no attempt counted, nothing sent, its reminder
// pending — and the drain stops with it held; once the guard lets go, the
// same job sends the message once, on its first attempt.
func TestSendHeldForStaleDataIsSnoozedNotFailed(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	f.invoice(f.client("T", "t@client.example"), "FA-T1", "2025-08-01", "2025-09-01", 100000)
	g := &holding{hold: true}
	h.sender.Guard = g
	res, dr := h.day(d("2025-09-02"))
	if dr.Waiting != 1 || dr.Held != 1 || dr.Completed != 0 {
		t.Fatalf("drain %+v, want the one job held", dr)
	}
	if n := len(h.srv.Messages()); n != 0 {
		t.Errorf("%d messages sent while held", n)
	}
	var status string
	if err := pool.QueryRow(t.Context(), `SELECT status FROM reminder`).Scan(&status); err != nil || status != "pending" {
		t.Errorf("reminder %q (%v), want pending", status, err)
	}
	if got := jobStates(t, h, res.JobIDs); len(got) != 1 || got[0] == "" || got[0][len(got[0])-2:] != "/0" {
		t.Errorf("held job %v, want no attempt counted", got)
	}

	// A drain stops at held jobs; the job looks again by itself.
	g.release()
	var got []string
	for range 300 {
		if got = jobStates(t, h, res.JobIDs); got[0] == "completed/1" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got[0] != "completed/1" {
		t.Fatalf("job %v after the guard let go, want completed on its first attempt", got)
	}
	if n := len(h.srv.Messages()); n != 1 {
		t.Errorf("%d messages delivered, want 1", n)
	}
	if g.asked < 2 {
		t.Errorf("the guard was asked %d times, want the job to look again", g.asked)
	}
}
