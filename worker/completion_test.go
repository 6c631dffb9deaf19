package worker

import (
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/relance/relance/internal/pgtest"
)

// TestSendRetriedAfterItsCommitSendsNothing: the send worker leaves the
// job's completion to River's batch completer, so a process killed after
// the send's commit leaves its job running, and River's rescuer works it
// again. That retry must find the rows sent and send nothing: what makes a
// message go once is the rows' status under the send's lock, not the job's.
func TestSendRetriedAfterItsCommitSendsNothing(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	f.invoice(f.client("T", "t@client.example"), "FA-T1", "2025-08-01", "2025-09-01", 100000)
	day := d("2025-09-02")
	h.clock.set(day.Add(8 * time.Hour))
	// The queue paused: this test works the job by hand, twice.
	if err := h.client.QueuePause(t.Context(), QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	res := sweepDay(t, pool, h.sweeper, h.client, day)
	if len(res.Jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(res.Jobs))
	}
	job := &river.Job[SendArgs]{JobRow: &rivertype.JobRow{ID: res.JobIDs[0], State: rivertype.JobStateRunning,
		Attempt: 1, CreatedAt: day.Add(8 * time.Hour)}, Args: res.Jobs[0]}
	if err := h.sender.Work(t.Context(), job); err != nil {
		t.Fatalf("first attempt: %v", err)
	}
	first := queryStrings(t, pool, `SELECT status || ' ' || message_id || ' ' || sent_at::text FROM reminder`)
	if len(first) != 1 || first[0][:4] != "sent" {
		t.Fatalf("ledger after the first attempt %v, want the row sent", first)
	}
	// The process died before River's completer ran: the job is still
	// 'running', and the rescuer's retry works it again.
	h.clock.set(day.Add(9 * time.Hour))
	job.Attempt = 2
	if err := h.sender.Work(t.Context(), job); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := len(h.srv.Messages()); n != 1 {
		t.Errorf("%d messages delivered after the retry, want exactly 1", n)
	}
	if again := queryStrings(t, pool, `SELECT status || ' ' || message_id || ' ' || sent_at::text FROM reminder`); len(again) != 1 || again[0] != first[0] {
		t.Errorf("ledger after the retry %v, want it untouched: %v", again, first)
	}
}
