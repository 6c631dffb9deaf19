package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/mail/smtptest"
	"github.com/relance/relance/internal/pgcluster"
)

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serveEnv is smtpEnv plus what `relance serve` needs: a password, an
// address, a send window always open, and the daily schedule.
func serveEnv(url string, srv *smtptest.Server, addr, schedule string, extra ...string) []string {
	return smtpEnv(url, srv, append([]string{"RELANCE_SERVER_PASSWORD=s3cret", "RELANCE_SERVER_ADDR=" + addr,
		"RELANCE_SWEEP_SEND_WINDOW=00:00-23:59", "RELANCE_SWEEP_SCHEDULE=" + schedule, "RELANCE_SERVER_SHUTDOWN_TIMEOUT=5s"}, extra...)...)
}

// enqueueDay hands the sweep of day to the daemon.
func enqueueDay(t *testing.T, env []string, day string) {
	t.Helper()
	p := startRelance(t, env, "sweep", "--as-of", day, "--enqueue")
	if code := p.wait(time.Minute); code != 0 {
		t.Fatalf("sweep --enqueue: exit %d\n%s", code, p.stderr.String())
	}
}

// sendJobsDone reports whether every send job is finalized and how many
// there are.
func sendJobsDone(t *testing.T, pool *pgxpool.Pool) (done bool, jobs int) {
	t.Helper()
	var open int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE finalized_at IS NULL), count(*)
		FROM river_job WHERE kind = 'relance_send'`).Scan(&open, &jobs); err != nil {
		return false, 0
	}
	return jobs > 0 && open == 0, jobs
}

// stop sends SIGTERM to a daemon (by its pid) and waits for its exit.
func (p *proc) stop(d time.Duration) int {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	return p.wait(d)
}

var sweepDone = regexp.MustCompile(`msg="sweep done" day=(\d{4}-\d{2}-\d{2})`)

// TestFaultReplicasLoseTheirLeader runs three `relance serve` replicas on
// one database while they send a day's messages, and kills the leader with
// SIGKILL. A new leader is elected, no day is swept twice (one sweep job and
// one committed sweep per day, across the replicas), and the dead replica's
// send jobs are taken up within its rescue delay (mail.send_timeout 4 s:
// 6 s) and delivered.
func TestFaultReplicasLoseTheirLeader(t *testing.T) {
	t.Parallel()
	started := time.Now()
	messages := scale(300, 2000)
	url, pool := newDatabase(t, cluster)
	seed(t, pool, messages, 1, time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC))
	srv := smtptest.Start(t)
	srv.SetLatency(20 * time.Millisecond)
	env := func() []string {
		return serveEnv(url, srv, freeAddr(t), "* * * * *", "RELANCE_MAIL_SEND_TIMEOUT=4s", "RELANCE_SWEEP_SEND_CONCURRENCY=4")
	}
	enqueueDay(t, env(), "2025-09-12")
	var replicas []*proc
	for range 3 {
		replicas = append(replicas, startRelance(t, env(), "serve"))
	}
	leader := func() (string, *proc) {
		var id string
		_ = pool.QueryRow(context.Background(), `SELECT leader_id FROM river_leader`).Scan(&id)
		for _, r := range replicas {
			if r.running() && strings.HasSuffix(id, "-"+strconv.Itoa(r.cmd.Process.Pid)) {
				return id, r
			}
		}
		return id, nil
	}
	var oldID string
	var old *proc
	if !until(time.Minute, func() bool { oldID, old = leader(); return old != nil }) {
		t.Fatalf("no replica became the leader (river_leader: %q)", oldID)
	}
	if !until(2*time.Minute, func() bool { return len(srv.Messages()) >= messages/10 }) {
		t.Fatalf("sending did not start: %d messages", len(srv.Messages()))
	}
	var running int
	_ = pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'relance_send' AND state = 'running'
		AND attempted_by[cardinality(attempted_by)] = $1`, oldID).Scan(&running)
	killedAt := old.kill()
	var newID string
	if !until(2*time.Minute, func() bool { id, p := leader(); newID = id; return p != nil && id != oldID }) {
		t.Errorf("no new leader after the old one was killed (river_leader: %q)", newID)
	}
	tookOver := time.Since(killedAt)
	if !until(4*time.Minute, func() bool { done, _ := sendJobsDone(t, pool); return done }) {
		t.Errorf("send jobs still open 4 minutes after the kill")
	}
	var rescued int
	var lastRescued *time.Time
	_ = pool.QueryRow(context.Background(), `SELECT count(*), max(finalized_at) FROM river_job
		WHERE kind = 'relance_send' AND array_to_string(errors, ' ') LIKE '%rescued%'`).Scan(&rescued, &lastRescued)
	for _, r := range replicas {
		if r.running() {
			if code := r.stop(time.Minute); code != 0 {
				t.Errorf("replica exited %d on SIGTERM:\n%s", code, tail(r.stderr.String(), 10))
			}
		}
	}
	// No day swept twice: one sweep job per day, one committed sweep. A
	// sweep the killed leader was running stays its until River takes it
	// up after the sweep's own timeout (worker.SweepTimeout, 10 minutes).
	rows, err := pool.Query(context.Background(), `SELECT args ->> 'day', count(*), string_agg(state::text, ','),
			bool_and(state = 'running' AND attempted_by[cardinality(attempted_by)] = $1)
		FROM river_job WHERE kind = 'relance_sweep' GROUP BY 1 ORDER BY 1`, oldID)
	if err != nil {
		t.Fatal(err)
	}
	var days, stranded []string
	for rows.Next() {
		var day, states string
		var n int
		var withTheDead bool
		if err := rows.Scan(&day, &n, &states, &withTheDead); err != nil {
			t.Fatal(err)
		}
		days = append(days, day)
		if withTheDead {
			stranded = append(stranded, day)
		}
		if n != 1 || states != "completed" && !withTheDead {
			t.Errorf("day %s: %d sweep jobs (%s), want one, completed (or running in the killed leader)", day, n, states)
		}
	}
	rows.Close()
	committed := map[string]int{}
	for _, r := range replicas {
		for _, m := range sweepDone.FindAllStringSubmatch(r.stderr.String(), -1) {
			committed[m[1]]++
		}
	}
	for day, n := range committed {
		if n != 1 {
			t.Errorf("day %s swept %d times across the replicas", day, n)
		}
	}
	c := Case{Order: 2, Name: "three serve replicas, the leader killed while sending", Faults: map[string]int{"leader kill -9": 1}}
	c.Crashes = crashed(t, replicas...)
	tally(t, &c, pool, srv, func(first, again smtptest.Message) (string, bool) {
		if first.Ready.Before(killedAt) && again.At.After(killedAt) {
			return fmt.Sprintf("sent by the leader, which was killed while the relay took it (accepted %s the kill), before its commit; taken up by another replica after the rescue delay, same Message-ID",
				signedMS(first.At.Sub(killedAt))), true
		}
		return "", false
	})
	resumed := "none was running"
	if lastRescued != nil {
		resumed = fmt.Sprintf("the last delivered %s after the kill", lastRescued.Sub(killedAt).Round(time.Second))
	}
	c.Notes = append(c.Notes, fmt.Sprintf("%d clients' level 1 enqueued for 2025-09-12 with `sweep --enqueue`, and the leader's periodic sweep of today (every minute, unique per day) deciding their level 2; relay answering in 20 ms; the leader killed with %d send jobs running; a new leader %s later; %d of its jobs rescued (mail.send_timeout 4 s, rescue after 6 s), %s; days swept %v, each once (one sweep job, one committed sweep across the replicas)",
		messages, running, tookOver.Round(time.Second), rescued, resumed, days))
	if len(stranded) > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("the sweep of %v was running in the killed leader: River takes it up after its own timeout (10 minutes), and its replay decides nothing twice", stranded))
	}
	record(t, c, started)
}

func signedMS(d time.Duration) string {
	if d < 0 {
		return ms(-d) + " before"
	}
	return ms(d) + " after"
}

// TestFaultPostgresRestartDuringSending restarts PostgreSQL under a running
// `relance serve` in the middle of sending. /readyz answers 503 while the
// database is down; serve is not restarted; once PostgreSQL is back every
// message is delivered, none lost.
func TestFaultPostgresRestartDuringSending(t *testing.T) {
	t.Parallel()
	started := time.Now()
	ctx := context.Background()
	pg, err := pgcluster.Start(ctx, pgcluster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Stop()
	messages := scale(200, 1500)
	url, pool := newDatabase(t, pg)
	seed(t, pool, messages, 1, time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC))
	srv := smtptest.Start(t)
	srv.SetLatency(20 * time.Millisecond)
	addr := freeAddr(t)
	env := serveEnv(url, srv, addr, "59 23 * * *", "RELANCE_MAIL_SEND_TIMEOUT=4s")
	enqueueDay(t, env, "2025-09-12")
	serve := startRelance(t, env, "serve")
	readyz := func() int {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if !until(time.Minute, func() bool { return readyz() == 200 }) {
		t.Fatalf("serve never ready:\n%s", tail(serve.stderr.String(), 20))
	}
	if !until(2*time.Minute, func() bool { return len(srv.Messages()) >= messages/5 }) {
		t.Fatalf("sending did not start: %d messages", len(srv.Messages()))
	}
	downAt := time.Now()
	if err := pg.StopServer(ctx); err != nil {
		t.Fatal(err)
	}
	if !until(30*time.Second, func() bool { return readyz() == 503 }) {
		t.Errorf("/readyz did not answer 503 with the database down (got %d)", readyz())
	}
	time.Sleep(2 * time.Second)
	if err := pg.StartServer(ctx); err != nil {
		t.Fatal(err)
	}
	upAt := time.Now()
	if !until(30*time.Second, func() bool { return readyz() == 200 }) {
		t.Errorf("/readyz not 200 after the restart (got %d)", readyz())
	}
	_, pool = reopen(t, url) // the test's own connections died with the server
	if !until(4*time.Minute, func() bool { done, _ := sendJobsDone(t, pool); return done }) {
		t.Errorf("send jobs still open 4 minutes after the restart")
	}
	if !serve.running() {
		t.Fatalf("serve exited during the database restart:\n%s", tail(serve.stderr.String(), 20))
	}
	if code := serve.stop(time.Minute); code != 0 {
		t.Errorf("serve exited %d on SIGTERM", code)
	}
	c := Case{Order: 3, Name: "PostgreSQL restarted under serve while sending", Faults: map[string]int{"PostgreSQL stop and start": 1}}
	c.Crashes = crashed(t, serve)
	tally(t, &c, pool, srv, func(first, again smtptest.Message) (string, bool) {
		if first.Ready.Before(upAt) && first.At.After(downAt.Add(-time.Second)) && again.At.After(first.At) {
			return fmt.Sprintf("accepted by the relay %s PostgreSQL went down, whose commit then failed; sent again after the restart with the same Message-ID", signedMS(first.At.Sub(downAt))), true
		}
		return "", false
	})
	c.Notes = append(c.Notes, fmt.Sprintf("%d messages due; PostgreSQL stopped for %s after a fifth had gone; /readyz answered 503 while it was down and 200 after; serve kept running (not restarted) and delivered the rest",
		messages, upAt.Sub(downAt).Round(100*time.Millisecond)))
	record(t, c, started)
}
