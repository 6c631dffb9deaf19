package worker

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/pgtest"
)

// reminderStates lists the rows as "step:status:reason", in id order.
func reminderStates(t *testing.T, h *harness) []string {
	t.Helper()
	return queryStrings(t, h.pool, `SELECT step_id || ':' || status || ':' || coalesce(drop_reason, '') FROM reminder ORDER BY id`)
}

// TestOutageLongerThanEveryRetryLosesNothingAndSkipsNoLevel (issue 10,
// defect 1): the relay is down for longer than every retry of a level 1.
// Its job is discarded; the row used to stay pending for ever, count as
// ladder history, and level 2 went out a week later without level 1. Now
// the next day's sweep returns the row (job_discarded, with an event), level
// 1 goes out once the relay is back, and level 2 min_gap days after that.
func TestOutageLongerThanEveryRetryLosesNothingAndSkipsNoLevel(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	// Imported 91 days late: level 1 first (Monday 1 September), then one
	// level per 7 days.
	f.invoice(f.client("OUT", "out@client.example"), "FA-OUT", "2025-05-01", "2025-06-02", 100000)
	h.srv.Down()
	if _, dr := h.day(d("2025-09-01")); dr.Discarded != 1 {
		t.Fatalf("drain %+v: want the job discarded after its last attempt", dr)
	}
	h.srv.Recover()
	for day := d("2025-09-02"); !day.After(d("2025-09-12")); day = day.AddDate(0, 0, 1) {
		h.day(day)
	}
	var got []string
	for _, m := range readReceived(t, h.srv) {
		got = append(got, m.String())
	}
	if want := "2025-09-02 OUT level1, 2025-09-09 OUT level2"; strings.Join(got, ", ") != want {
		t.Errorf("delivered %q, want %q: level 1 once the relay is back, level 2 min_gap after it", strings.Join(got, ", "), want)
	}
	var state, errText string
	if err := pool.QueryRow(t.Context(), `SELECT detail ->> 'job_state', detail ->> 'error' FROM event WHERE kind = 'reminder_undelivered'`).Scan(&state, &errText); err != nil {
		t.Fatalf("no reminder_undelivered event: %v", err)
	}
	if state != "discarded" || !strings.Contains(errText, "connect") {
		t.Errorf("event: job %s, error %q; want discarded with the connection error", state, errText)
	}
}

// TestAStepPendingOnALiveJobBlocksTheNextLevel: level 1's job is held (the
// send queue paused) for ten days. Level 2 is not decided meanwhile; once
// level 1 goes out, level 2 waits min_gap days from that send.
func TestAStepPendingOnALiveJobBlocksTheNextLevel(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	f.invoice(f.client("HELD", "held@client.example"), "FA-HELD", "2025-05-01", "2025-06-02", 100000)
	if err := h.client.QueuePause(t.Context(), QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	first := h.sweep(d("2025-09-01"))
	var decided []string
	for day := d("2025-09-02"); !day.After(d("2025-09-11")); day = day.AddDate(0, 0, 1) {
		for _, dec := range h.sweep(day).Decisions {
			decided = append(decided, formatDay(day)+" "+dec.StepID)
		}
	}
	if len(decided) != 0 {
		t.Fatalf("decided %v while level 1 was still waiting to go out", decided)
	}
	// Thursday 11 September, ten days later: the queue resumes, level 1 goes.
	h.clock.set(d("2025-09-11").Add(11 * time.Hour))
	if err := h.client.QueueResume(t.Context(), QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if dr, err := Drain(ctx, pool, first.JobIDs, 20*time.Millisecond, nil); err != nil || dr.Completed != 1 {
		t.Fatalf("drain %+v %v", dr, err)
	}
	var sentOn time.Time
	if err := pool.QueryRow(t.Context(), `SELECT sent_on FROM reminder WHERE step_id = 'level1'`).Scan(&sentOn); err != nil || !sentOn.Equal(d("2025-09-11")) {
		t.Fatalf("level 1 sent_on %s (%v), want the day it went: 2025-09-11", sentOn, err)
	}
	for day := d("2025-09-12"); !day.After(d("2025-09-19")); day = day.AddDate(0, 0, 1) {
		for _, dec := range h.sweep(day).Decisions {
			decided = append(decided, formatDay(day)+" "+dec.StepID)
		}
	}
	if want := "2025-09-18 level2"; strings.Join(decided, ", ") != want {
		t.Errorf("decided %v, want %s: min_gap from the day level 1 went out", decided, want)
	}
}

// TestCancelledAndDeletedJobsReturnToTheSweep: jobs cancelled or deleted in
// River UI leave rows that nothing will send. The periodic reconciliation
// drops them with the job's fate and an event; the next sweep decides them
// again and they go out.
func TestCancelledAndDeletedJobsReturnToTheSweep(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	for _, code := range []string{"CAN", "DEL"} {
		f.invoice(f.client(code, strings.ToLower(code)+"@client.example"), "FA-"+code, "2025-05-01", "2025-06-02", 100000)
	}
	if err := h.client.QueuePause(t.Context(), QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	res := h.sweep(d("2025-09-01"))
	if len(res.JobIDs) != 2 {
		t.Fatalf("%d jobs, want 2", len(res.JobIDs))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := h.client.JobCancel(ctx, res.JobIDs[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.JobDelete(ctx, res.JobIDs[1]); err != nil {
		t.Fatal(err)
	}
	if err := h.client.QueueResume(ctx, QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	// The daemon's periodic reconciliation, run now.
	job, err := h.client.Insert(ctx, ReconcileArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if dr, err := Drain(ctx, pool, []int64{job.Job.ID}, 20*time.Millisecond, nil); err != nil || dr.Completed != 1 {
		t.Fatalf("reconciliation job: %+v %v", dr, err)
	}
	if got, want := strings.Join(reminderStates(t, h), " "), "level1:dropped:job_cancelled level1:dropped:job_deleted"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	var events int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM event WHERE kind = 'reminder_undelivered'`).Scan(&events); err != nil || events != 2 {
		t.Errorf("%d reminder_undelivered events (%v), want 2", events, err)
	}
	h.day(d("2025-09-02"))
	var got []string
	for _, m := range readReceived(t, h.srv) {
		got = append(got, m.String())
	}
	sort.Strings(got)
	if want := "2025-09-02 CAN level1, 2025-09-02 DEL level1"; strings.Join(got, ", ") != want {
		t.Errorf("delivered %v, want %s", got, want)
	}
}

// TestAKilledProcessSendsResumeWithinMinutes (issue 10, defect 3): a send
// job left 'running' by a process killed ten minutes ago used to wait for
// River's rescuer's default hour. The rescue delay now comes from the job's
// own timeout (RescueAfter: 3 minutes for the default 2), so the next
// leader takes it up and the message goes.
func TestAKilledProcessSendsResumeWithinMinutes(t *testing.T) {
	pool := pgtest.NewDB(t)
	f := fixture{t, pool}
	f.invoice(f.client("KILL", "kill@client.example"), "FA-KILL", "2025-05-01", "2025-06-02", 100000)
	set := standardPlan()
	res := sweepDay(t, pool, &Sweeper{Plans: set, Calendars: testCalendars()}, insertOnlyClient(t, pool), d("2025-09-01"))
	if len(res.JobIDs) != 1 {
		t.Fatalf("%d jobs, want 1", len(res.JobIDs))
	}
	// The process that took it was killed ten minutes ago.
	if _, err := pool.Exec(t.Context(), `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() - interval '10 minutes',
		attempted_by = ARRAY['killed-host'] WHERE id = $1`, res.JobIDs[0]); err != nil {
		t.Fatal(err)
	}
	if RescueAfter(DefaultSendTimeout) > 10*time.Minute {
		t.Fatalf("rescue after %s: not minutes", RescueAfter(DefaultSendTimeout))
	}
	h := newHarness(t, pool) // a new process: it becomes the leader and its rescuer looks at once
	h.clock.set(d("2025-09-01").Add(10 * time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 45*time.Second)
	defer cancel()
	dr, err := Drain(ctx, pool, res.JobIDs, 50*time.Millisecond, nil)
	if err != nil || dr.Completed != 1 {
		t.Fatalf("the killed process's job: %+v %v, want it rescued and completed", dr, err)
	}
	if got := readReceived(t, h.srv); len(got) != 1 || got[0].String() != "2025-09-01 KILL level1" {
		t.Errorf("delivered %v, want the level 1", got)
	}
}

// TestReconcileIsLinearWhenManyJobsAreLive: the reconciliation's orphans
// are the pending rows no live job names. Planned as NOT IN over the live
// jobs' ids, PostgreSQL hashed them only while it thought they fit in
// work_mem; past that (40,000 live jobs, each guessed at 100 ids) it
// rescanned every live id for each pending row, and 80,000 pending rows
// took three minutes. The plan, taken here with the estimates of many live
// jobs and a small work_mem, must use no subplan rescanned per row.
func TestReconcileIsLinearWhenManyJobsAreLive(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewDB(t)
	ctx := t.Context()
	if _, err := pool.Exec(ctx, `INSERT INTO river_job (state, args, kind, queue, scheduled_at)
		SELECT 'scheduled', jsonb_build_object('reminder_ids', jsonb_build_array(2 * n, 2 * n + 1)), 'relance_send', 'send',
		       now() + interval '1 day'
		FROM generate_series(1, 2000) n`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE river_job`); err != nil {
		t.Fatal(err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // only a plan is read
	if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '64kB'`); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, "EXPLAIN "+reconcileSQL, d("2025-09-01"))
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	if perRow := regexp.MustCompile(`\(SubPlan \d+\)`); perRow.MatchString(plan) {
		t.Errorf("the reconciliation rescans a subplan for each row:\n%s", plan)
	}
}
