package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/mail/smtptest"
)

// seedEntity adds entity code with clients clients, each with one invoice
// 40 days late on day; codes are <prefix>00001…, addresses
// <prefix>1@<code>.example.
func seedEntity(t *testing.T, pool *pgxpool.Pool, code, prefix string, clients int, day time.Time) {
	t.Helper()
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO entity (code, name) VALUES ($1, 'Entity ' || $1) ON CONFLICT (code) DO NOTHING`, code); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO client (entity_id, code, name, emails)
		SELECT e.id, $2 || lpad(g::text, 5, '0'), 'Client ' || $2 || g, ARRAY[lower($2) || g || '@' || $1 || '.example']
		FROM entity e CROSS JOIN generate_series(1, $3) g WHERE e.code = $1`, code, prefix, clients); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, amount_excl_vat)
		SELECT c.entity_id, c.id, 'FA-' || c.code, $2::date - 70, $2::date - 40, 100000, 83333
		FROM client c JOIN entity e ON e.id = c.entity_id WHERE e.code = $1`, code, day); err != nil {
		t.Fatal(err)
	}
}

// importPayments imports one small payment of invoice into entity with
// `relance import payments`, its data as of asOf ("" for now).
func importPayments(t *testing.T, env []string, entity, invoice, asOf string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "reglements.csv")
	if err := os.WriteFile(file, []byte("numero_facture;date;montant\n"+invoice+";11/09/2025;1,00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"import", "payments", file, "--entity", entity, "--as-of", "2025-09-12"}
	if asOf != "" {
		args = append(args, "--data-as-of", asOf)
	}
	p := startRelance(t, env, args...)
	if code := p.wait(time.Minute); code != 0 {
		t.Fatalf("import payments: exit %d\n%s%s", code, p.stdout.String(), p.stderr.String())
	}
}

// delivered counts the messages the relay accepted for an entity's clients.
func delivered(srv *smtptest.Server, entity string) int {
	n := 0
	for _, copies := range received(srv) {
		if strings.Contains(strings.Join(copies[0].To, ","), "@"+entity+".example") {
			n++
		}
	}
	return n
}

// TestFaultStalePaymentData is the freshness guard's done-when, against
// the real daemon: with one entity's payment data 40 hours old (its bank
// feed missed a night) and another's fresh, `relance serve` sends the
// fresh entity's reminders and none of the stale one's, whose send jobs
// wait snoozed — not failed, not an attempt — with an alert_stale_data
// alert; once fresh payments are imported, the same messages go within the
// recheck interval (sweep.stale_recheck, 2 s here; 5 min by default), each
// once.
func TestFaultStalePaymentData(t *testing.T) {
	t.Parallel()
	started := time.Now()
	clients := scale(20, 200)
	day := time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC)
	url, pool := newDatabase(t, cluster)
	seedEntity(t, pool, "default", "S", clients, day)
	seedEntity(t, pool, "acme", "F", clients, day)
	srv := smtptest.Start(t)
	env := serveEnv(url, srv, freeAddr(t), "0 7 * * *", "RELANCE_SWEEP_STALE_RECHECK=2s")
	importPayments(t, env, "default", "FA-S00001", time.Now().Add(-40*time.Hour).Format(time.RFC3339))
	importPayments(t, env, "acme", "FA-F00001", "")

	enqueueDay(t, env, "2025-09-12")
	daemon := startRelance(t, env, "serve")
	if !until(2*time.Minute, func() bool { return delivered(srv, "acme") == clients }) {
		t.Fatalf("the fresh entity's %d messages were not all delivered: %d\n%s", clients, delivered(srv, "acme"), tail(daemon.stderr.String(), 20))
	}
	// The stale entity's jobs have been worked and held at least twice
	// (snoozed, then looked at again after the recheck) before anything is
	// concluded.
	ctx := context.Background()
	held := func() (jobs, snoozedTwice, attempts int) {
		_ = pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE (j.metadata ->> 'snoozes')::int >= 2), coalesce(max(j.attempt), 0)
			FROM river_job j JOIN client c ON c.id = (j.args ->> 'client_id')::bigint JOIN entity e ON e.id = c.entity_id
			WHERE j.kind = 'relance_send' AND e.code = 'default' AND j.finalized_at IS NULL`).Scan(&jobs, &snoozedTwice, &attempts)
		return
	}
	if !until(time.Minute, func() bool { _, twice, _ := held(); return twice == clients }) {
		jobs, twice, _ := held()
		t.Fatalf("the stale entity's send jobs: %d scheduled, %d snoozed twice; want %d", jobs, twice, clients)
	}
	if n := delivered(srv, "default"); n != 0 {
		t.Errorf("%d messages went to the stale entity's clients", n)
	}
	jobs, _, attempts := held()
	if jobs != clients || attempts != 0 {
		t.Errorf("held jobs: %d waiting, highest attempt %d; want %d, and no attempt counted", jobs, attempts, clients)
	}
	var alerts int
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM event WHERE kind = 'alert_stale_data' AND detail ->> 'entity' = 'default'`).Scan(&alerts)
	if alerts != 1 {
		t.Errorf("%d alert_stale_data alerts for the stale entity, want 1", alerts)
	}

	// Fresh payments arrive: the held messages go by themselves.
	fresh := time.Now()
	importPayments(t, env, "default", "FA-S00002", "")
	if !until(2*time.Minute, func() bool { return delivered(srv, "default") == clients }) {
		t.Fatalf("after fresh payments, %d of the stale entity's %d messages delivered\n%s", delivered(srv, "default"), clients, tail(daemon.stderr.String(), 20))
	}
	resumed := time.Since(fresh)
	var maxAttempt, withErrors int
	_ = pool.QueryRow(ctx, `SELECT max(attempt), count(*) FILTER (WHERE cardinality(errors) > 0) FROM river_job WHERE kind = 'relance_send'`).Scan(&maxAttempt, &withErrors)
	if maxAttempt != 1 || withErrors != 0 {
		t.Errorf("send jobs: highest attempt %d, %d with errors; want 1 and none (a hold is not a failure)", maxAttempt, withErrors)
	}
	if code := daemon.stop(time.Minute); code != 0 {
		t.Errorf("serve exited %d on SIGTERM", code)
	}
	c := Case{Order: 9, Name: "payment data 40 hours old for one entity, then fresh", Faults: map[string]int{"stale payment feed": 1}}
	tally(t, &c, pool, srv, noDuplicateExpected)
	c.Crashes = crashed(t, daemon)
	c.Notes = append(c.Notes, fmt.Sprintf("%d messages of the fresh entity delivered while the stale one's %d waited (snoozed, no attempt counted, one alert)", clients, clients),
		fmt.Sprintf("the held messages delivered %s after the fresh import (sweep.stale_recheck 2s)", resumed.Round(100*time.Millisecond)))
	record(t, c, started)
}
