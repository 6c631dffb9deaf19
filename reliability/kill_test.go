package main

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/relance/relance/internal/mail/smtptest"
)

// TestFaultKill9 kills `relance sweep --drain` with SIGKILL at random moments
// of the sweep and the sending, restarting it each time, until the last run
// finishes. Nothing may be lost; a duplicate may only be a message the relay
// accepted just before a kill, before its commit, sent again with the same
// Message-ID.
func TestFaultKill9(t *testing.T) {
	t.Parallel()
	started := time.Now()
	day := time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC)
	messages, kills := scale(300, 2000), scale(3, 20)
	latency := time.Duration(scale(10, 15)) * time.Millisecond
	url, pool := newDatabase(t, cluster)
	seed(t, pool, messages, 1, day)
	srv := smtptest.Start(t)
	srv.SetLatency(latency) // a relay across a network: sending takes a while
	// A short send timeout: a killed run's jobs are taken up 4.5 s after
	// they started rather than 3 minutes.
	env := smtpEnv(url, srv, "RELANCE_MAIL_SEND_TIMEOUT=3s")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))

	type run struct{ start, kill time.Time }
	var runs []run
	var procs []*proc
	beforeSending := 0 // kills that came before the run sent anything: start-up, the sweep
	for len(runs) < kills {
		p := startRelance(t, env, "sweep", "--as-of", "2025-09-12", "--drain")
		procs = append(procs, p)
		sentBefore := len(srv.Messages())
		wait := time.Duration(100+rng.IntN(3900)) * time.Millisecond
		select {
		case <-p.done:
			// The work ran out before this kill: the last run below
			// finds nothing left.
			t.Logf("run %d finished before its kill (%s): %d kills", len(runs)+1, wait, len(runs))
		case <-time.After(wait):
		}
		if !p.running() {
			break
		}
		runs = append(runs, run{p.started, p.kill()})
		if len(srv.Messages()) == sentBefore {
			beforeSending++
		}
	}
	if *long && len(runs) < kills {
		t.Errorf("only %d kills before the work ran out, want %d", len(runs), kills)
	}
	last := startRelance(t, env, "sweep", "--as-of", "2025-09-12", "--drain")
	procs = append(procs, last)
	if code := last.wait(10 * time.Minute); code != 0 {
		t.Errorf("the last run exited %d:\n%s\n%s", code, last.stdout.String(), tail(last.stderr.String(), 20))
	}
	c := Case{Order: 1, Name: "kill -9 during the sweep and the sending", Faults: map[string]int{"kill -9": len(runs)}}
	c.Crashes = crashed(t, procs...)
	tally(t, &c, pool, srv, func(first, again smtptest.Message) (string, bool) {
		// The killed run had sent the whole message (its transaction
		// began before the kill); the relay accepted it just before or
		// just after the process died, before the commit.
		for i, r := range runs {
			if !first.Ready.Before(r.start) && first.Ready.Before(r.kill) && again.At.After(r.kill) {
				when := fmt.Sprintf("%s before", ms(r.kill.Sub(first.At)))
				if first.At.After(r.kill) {
					when = fmt.Sprintf("%s after", ms(first.At.Sub(r.kill)))
				}
				return fmt.Sprintf("sent by run %d, which was killed while the relay took it (accepted %s the kill -9), before its commit; sent again by a later run with the same Message-ID",
					i+1, when), true
			}
		}
		return "", false
	})
	if c.Due != messages {
		t.Errorf("%d messages due, want %d", c.Due, messages)
	}
	c.Notes = append(c.Notes, fmt.Sprintf("%d messages due on one day, relay answering in %s; `sweep --drain` killed %d times at random moments 0.1–4 s after its start (%d of them before the run had sent anything: start-up and the sweep's transaction), restarted each time, then run to the end; every reminder sent once in the ledger, every Message-ID the ledger records accepted by the relay",
		messages, latency, len(runs), beforeSending))
	record(t, c, started)
}
