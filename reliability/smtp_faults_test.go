package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/mail/smtptest"
)

// bouncing lists the codes of the clients marked bouncing.
func bouncing(t *testing.T, url string) []string {
	t.Helper()
	_, pool := reopen(t, url)
	rows, err := pool.Query(context.Background(), `SELECT code FROM client WHERE email_bouncing_since IS NOT NULL ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// TestFaultSMTPTemporaryAndOneRecipient: the relay answers 421 and 451 at
// the greeting, MAIL, RCPT and DATA, drops the connection in the middle of
// DATA once, and refuses one client's address with 550. Every message but
// that client's is delivered once; only that client is marked bouncing.
func TestFaultSMTPTemporaryAndOneRecipient(t *testing.T) {
	t.Parallel()
	started := time.Now()
	messages := scale(40, 200)
	url, pool := newDatabase(t, cluster)
	seed(t, pool, messages, 1, time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC))
	srv := smtptest.Start(t)
	for _, code := range []int{421, 451} {
		for _, phase := range []smtptest.Phase{smtptest.PhaseGreeting, smtptest.PhaseMail, smtptest.PhaseRcpt, smtptest.PhaseData} {
			srv.FailNext(phase, scale(1, 3), code, "try again later")
		}
	}
	srv.DropNext(smtptest.PhaseData)
	srv.RejectRecipient("c7@client.example", 550)
	p := startRelance(t, smtpEnv(url, srv), "sweep", "--as-of", "2025-09-12", "--drain")
	if code := p.wait(5 * time.Minute); code != 1 || !strings.Contains(p.stdout.String(), "failed: 1,") {
		t.Errorf("drain exited %d, want 1 with the one refused address reported:\n%s", code, p.stdout.String())
	}
	if got := bouncing(t, url); strings.Join(got, " ") != "C00007" {
		t.Errorf("clients bouncing %v, want only C00007, whose address the relay refused", got)
	}
	c := Case{Order: 4, Name: "SMTP: 421 and 451 at every stage, a drop mid-DATA, 550 on one address",
		Faults: map[string]int{"SMTP reply or drop": srv.Injected()}}
	c.Crashes = crashed(t, p)
	tally(t, &c, pool, srv, noDuplicateExpected)
	if c.Refused != 1 || c.Delivered != messages-1 {
		t.Errorf("delivered %d, refused %d; want %d and 1", c.Delivered, c.Refused, messages-1)
	}
	c.Notes = append(c.Notes, "each temporary failure retried with backoff and delivered once; the message cut off in DATA never stored and sent again; only the client whose own address got 550 marked bouncing (exit status 1 reports it)")
	record(t, c, started)
}

// TestFaultSMTPRelayRefusesOurSender: 553 on MAIL FROM for every message
// (the relay refuses our sender). Nobody is blamed; the send queue pauses
// after mail.pause_after refusals and `sweep --drain` says so plainly. Once
// the relay is fixed, the next drain lifts the pause and delivers every
// message once.
func TestFaultSMTPRelayRefusesOurSender(t *testing.T) {
	t.Parallel()
	started := time.Now()
	messages := scale(30, 200)
	url, pool := newDatabase(t, cluster)
	seed(t, pool, messages, 1, time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC))
	srv := smtptest.Start(t)
	srv.FailEvery(smtptest.PhaseMail, 553, "5.7.1 sender address rejected: not owned by user")
	env := smtpEnv(url, srv, "RELANCE_MAIL_PAUSE_AFTER=3")
	first := startRelance(t, env, "sweep", "--as-of", "2025-09-12", "--drain")
	out := first.stdout.String
	if code := first.wait(5 * time.Minute); code != 1 || !strings.Contains(out(), "SEND QUEUE PAUSED") ||
		!strings.Contains(out(), "no client blamed") || !strings.Contains(out(), fmt.Sprintf("still waiting: %d", messages)) {
		t.Errorf("drain exited %d; want 1, the pause said plainly and every message still waiting:\n%s", code, out())
	}
	if !strings.Contains(first.stderr.String(), "level=ERROR") || !strings.Contains(first.stderr.String(), "SEND QUEUE PAUSED") {
		t.Errorf("no ERROR line about the pause:\n%s", tail(first.stderr.String(), 20))
	}
	if got := bouncing(t, url); len(got) != 0 {
		t.Errorf("clients blamed for our sender's refusal: %v", got)
	}
	refusals := srv.Injected()
	srv.Recover()
	again := startRelance(t, env, "sweep", "--as-of", "2025-09-12", "--drain")
	if code := again.wait(5 * time.Minute); code != 0 || !strings.Contains(again.stdout.String(), "the send queue was paused by relance and is resumed") {
		t.Errorf("after the fix: exit %d:\n%s", code, again.stdout.String())
	}
	c := Case{Order: 5, Name: "SMTP: 553 on MAIL FROM (our sender refused), then fixed", Faults: map[string]int{"553 on MAIL FROM": refusals}}
	c.Crashes = crashed(t, first, again)
	tally(t, &c, pool, srv, noDuplicateExpected)
	c.Notes = append(c.Notes, "no client marked bouncing, no row failed; the send queue paused after 3 refusals in a row with an event and an ERROR line, `sweep --drain` printed SEND QUEUE PAUSED and exited 1; the next drain lifted relance's pause and delivered every message once")
	record(t, c, started)
}

// TestFaultSMTPTLSHandshake: the relay's TLS handshakes fail a few times
// (STARTTLS required). The messages are retried and delivered; no client is
// blamed.
func TestFaultSMTPTLSHandshake(t *testing.T) {
	t.Parallel()
	started := time.Now()
	messages := scale(20, 100)
	url, pool := newDatabase(t, cluster)
	seed(t, pool, messages, 1, time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC))
	srv := smtptest.StartTLS(t, false)
	srv.FailTLSNext(scale(3, 6))
	certFile := filepath.Join(t.TempDir(), "relay.pem")
	if err := os.WriteFile(certFile, srv.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := smtpEnv(url, srv, "RELANCE_MAIL_SMTP_TLS=starttls", "SSL_CERT_FILE="+certFile, "RELANCE_MAIL_PAUSE_AFTER=0")
	p := startRelance(t, env, "sweep", "--as-of", "2025-09-12", "--drain")
	if code := p.wait(5 * time.Minute); code != 0 {
		t.Errorf("drain exited %d:\n%s\n%s", code, p.stdout.String(), tail(p.stderr.String(), 20))
	}
	if got := bouncing(t, url); len(got) != 0 {
		t.Errorf("clients blamed for a TLS failure: %v", got)
	}
	c := Case{Order: 6, Name: "SMTP: TLS handshake failures", Faults: map[string]int{"TLS handshake refused": srv.Injected()}}
	c.Crashes = crashed(t, p)
	tally(t, &c, pool, srv, noDuplicateExpected)
	for _, m := range srv.Messages() {
		if !m.TLS {
			t.Errorf("a message went in clear")
			break
		}
	}
	c.Notes = append(c.Notes, "STARTTLS required; failed handshakes retried, every message delivered once over TLS, nobody blamed")
	record(t, c, started)
}

// TestFaultSMTPOutageLongerThanEveryRetry: the relay is down for longer
// than every retry of the drain of Thursday 11 September: the jobs run out
// of attempts and `sweep --drain` exits 1 with every reminder still waiting.
// The relay recovers; Friday's drain delivers every level 1, and level 2
// goes min_gap (7 days) after that, on Friday 19 September: nothing lost,
// no level skipped. (The drain's retries take a minute: its fast variant is
// worker's TestOutageLongerThanEveryRetryLosesNothingAndSkipsNoLevel.)
func TestFaultSMTPOutageLongerThanEveryRetry(t *testing.T) {
	if !*long {
		t.Skip("long variant only (make reliability): the drain retries for a minute; the fast variant is worker's TestOutageLongerThanEveryRetryLosesNothingAndSkipsNoLevel")
	}
	t.Parallel()
	started := time.Now()
	messages := 200
	url, pool := newDatabase(t, cluster)
	seed(t, pool, messages, 1, time.Date(2025, 9, 11, 0, 0, 0, 0, time.UTC))
	srv := smtptest.Start(t)
	env := smtpEnv(url, srv)
	srv.Down()
	var procs []*proc
	drain := func(day string, wantExit int) *proc {
		p := startRelance(t, env, "sweep", "--as-of", day, "--drain")
		procs = append(procs, p)
		if code := p.wait(10 * time.Minute); code != wantExit {
			t.Errorf("%s: drain exited %d, want %d:\n%s", day, code, wantExit, p.stdout.String())
		}
		return p
	}
	if p := drain("2025-09-11", 1); !strings.Contains(p.stdout.String(), fmt.Sprintf("still waiting: %d", messages)) {
		t.Errorf("the outage's drain:\n%s", p.stdout.String())
	}
	downFor := srv.Injected()
	srv.Recover()
	for _, day := range []string{"2025-09-12", "2025-09-15", "2025-09-16", "2025-09-17", "2025-09-18", "2025-09-19"} {
		drain(day, 0)
	}
	var steps []string
	rows, err := pool.Query(context.Background(), `SELECT sent_on::text || ' ' || step_id, count(*) FROM reminder WHERE status = 'sent'
		GROUP BY sent_on, step_id ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, fmt.Sprintf("%s ×%d", s, n))
	}
	rows.Close()
	if want := fmt.Sprintf("2025-09-12 level1 ×%d, 2025-09-19 level2 ×%d", messages, messages); strings.Join(steps, ", ") != want {
		t.Errorf("sent %v, want %s", steps, want)
	}
	c := Case{Order: 7, Name: "SMTP: an outage longer than every retry, then recovery", Faults: map[string]int{"connection refused while down": downFor}}
	c.Crashes = crashed(t, procs...)
	tally(t, &c, pool, srv, noDuplicateExpected)
	c.Notes = append(c.Notes, "Thursday's drain ran out of retries and exited 1 with every reminder still waiting (returned to the sweep, job_discarded, with an event); Friday's delivered every level 1, level 2 went 7 days later (19 September), not on the 18th: no level skipped, nobody blamed")
	record(t, c, started)
}
