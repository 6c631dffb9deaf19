package worker

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/relance/relance/internal/mail/smtptest"
	"github.com/relance/relance/internal/pgtest"
)

// TestRefusalsOfOursBlameNoClientAndPauseTheQueue (issue 10, defect 2): a
// 5xx on MAIL FROM (the relay refuses our sender) used to take the bounce
// path: every client marked bouncing, every row failed, every job
// cancelled. A refusal that is our configuration's or our relay's (MAIL
// FROM, DATA, our own Bcc, the greeting) now blames nobody: the jobs retry,
// the send queue pauses after PauseAfter refusals in a row with an event,
// and once the relay is fixed and the pause lifted every message goes, once.
func TestRefusalsOfOursBlameNoClientAndPauseTheQueue(t *testing.T) {
	for _, c := range []struct {
		name   string
		refuse func(*smtptest.Server)
	}{
		{"553 on MAIL FROM", func(s *smtptest.Server) { s.FailEvery(smtptest.PhaseMail, 553, "5.7.1 sender not allowed") }},
		{"554 on DATA", func(s *smtptest.Server) { s.FailEvery(smtptest.PhaseData, 554, "5.7.1 relay policy") }},
		{"550 on our Bcc", func(s *smtptest.Server) {
			s.FailRecipientNext("credit@durand.example", 1000, 550, "5.1.1 no such user")
		}},
		{"554 in the greeting", func(s *smtptest.Server) { s.FailEvery(smtptest.PhaseGreeting, 554, "5.3.2 no service for you") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			pool := pgtest.NewDB(t)
			h := newHarness(t, pool)
			h.sender.PauseAfter = 3
			f := fixture{t, pool}
			for i := range 4 {
				f.invoice(f.client(fmt.Sprintf("R%d", i), fmt.Sprintf("r%d@client.example", i)), fmt.Sprintf("FA-R%d", i), "2025-05-01", "2025-06-02", 100000)
			}
			c.refuse(h.srv)
			res, dr := h.day(d("2025-09-01"))
			if !dr.Paused.Paused || !dr.Paused.ByUs || dr.Waiting != 4 || dr.Failed() != 0 {
				t.Fatalf("drain %+v: want the 4 jobs waiting behind a send queue relance paused", dr)
			}
			var bouncing, failed, pending, events int
			if err := pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM client WHERE email_bouncing_since IS NOT NULL),
				(SELECT count(*) FROM reminder WHERE status = 'failed'), (SELECT count(*) FROM reminder WHERE status = 'pending'),
				(SELECT count(*) FROM event WHERE kind = 'send_queue_paused')`).Scan(&bouncing, &failed, &pending, &events); err != nil {
				t.Fatal(err)
			}
			if bouncing != 0 || failed != 0 || pending != 4 || events != 1 {
				t.Errorf("%d clients bouncing, %d rows failed, %d pending, %d pause events; want 0, 0, 4, 1", bouncing, failed, pending, events)
			}
			// The relay is fixed; whoever restarts relance lifts the pause.
			h.srv.Recover()
			p, err := ResumeOwnPause(t.Context(), pool, h.client)
			if err != nil || !p.ByUs {
				t.Fatalf("resume: %+v %v", p, err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			if dr, err := Drain(ctx, pool, res.JobIDs, 20*time.Millisecond, nil); err != nil || dr.Completed != 4 {
				t.Fatalf("after the fix: drain %+v %v", dr, err)
			}
			counts := map[string]int{}
			for _, m := range readReceived(t, h.srv) {
				counts[m.String()]++
			}
			if len(counts) != 4 {
				t.Errorf("delivered %v, want the 4 level 1s", counts)
			}
			for k, n := range counts {
				if n != 1 {
					t.Errorf("%s delivered %d times", k, n)
				}
			}
		})
	}
}

// TestAPauseByAnOperatorIsLeftAlone: ResumeOwnPause lifts relance's own
// pause only.
func TestAPauseByAnOperatorIsLeftAlone(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	if err := h.client.QueuePause(t.Context(), QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	p, err := ResumeOwnPause(t.Context(), pool, h.client)
	if err != nil || !p.Paused || p.ByUs {
		t.Fatalf("%+v %v: want an operator's pause, left alone", p, err)
	}
	if p, _ := SendQueue(t.Context(), pool); !p.Paused {
		t.Error("the operator's pause was lifted")
	}
}
