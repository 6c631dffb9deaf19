package watch_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/watch"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// now is the tests' instant: Monday 15 September 2025, 19:00 in Paris.
var now = time.Date(2025, 9, 15, 17, 0, 0, 0, time.UTC)

var paris, _ = time.LoadLocation("Europe/Paris")

type db struct {
	t    *testing.T
	pool *pgxpool.Pool
}

func newDB(t *testing.T) db {
	t.Helper()
	return db{t: t, pool: pgtest.NewDB(t)}
}

func (d db) exec(sql string, args ...any) {
	d.t.Helper()
	if _, err := d.pool.Exec(context.Background(), sql, args...); err != nil {
		d.t.Fatalf("%s: %v", sql, err)
	}
}

func (d db) id(sql string, args ...any) int64 {
	d.t.Helper()
	var id int64
	if err := d.pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		d.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

// client adds a client with one open invoice to entity (by code), and
// returns its id.
func (d db) client(entity, code string) int64 {
	d.t.Helper()
	id := d.id(`INSERT INTO client (entity_id, code, name) SELECT id, $2, 'Client ' || $2 FROM entity WHERE code = $1 RETURNING id`, entity, code)
	d.exec(`INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		SELECT entity_id, id, 'F-' || code, '2025-07-01', '2025-07-31', 100000 FROM client WHERE id = $1`, id)
	return id
}

func (d db) paymentsAsOf(entity string, at time.Time) {
	d.t.Helper()
	d.exec(`INSERT INTO data_freshness (entity_id, kind, as_of) SELECT id, 'payments', $2 FROM entity WHERE code = $1
		ON CONFLICT (entity_id, kind) DO UPDATE SET as_of = excluded.as_of`, entity, at)
}

func (d db) count(kind string) int {
	return int(d.id(`SELECT count(*) FROM event WHERE kind = $1`, kind))
}

// The guard holds the sends of an entity whose payment data is older than
// its maximum age, raising one alert per stale episode; fresh data, an
// entity with a longer maximum, a guard turned off, or an entity that never
// had payment data send at once.
func TestGuardHoldsOnlyStaleEntities(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	d.exec(`INSERT INTO entity (code, name) VALUES ('acme', 'Acme'), ('slow', 'Slow feed'), ('new', 'New')`)
	stale, fresh, slow, never := d.client("default", "C1"), d.client("acme", "C2"), d.client("slow", "C3"), d.client("new", "C4")
	d.paymentsAsOf("default", now.Add(-40*time.Hour))
	d.paymentsAsOf("acme", now.Add(-2*time.Hour))
	d.paymentsAsOf("slow", now.Add(-40*time.Hour))
	g := &watch.Guard{DB: d.pool, Clock: clock.Fixed(now), Location: paris, Recheck: 3 * time.Minute,
		Policy: watch.Policy{MaxAge: 36 * time.Hour, PerEntity: map[string]time.Duration{"slow": 72 * time.Hour}}}
	for _, c := range []struct {
		name   string
		client int64
		want   time.Duration
	}{{"stale", stale, 3 * time.Minute}, {"stale again", stale, 3 * time.Minute}, {"fresh", fresh, 0},
		{"slow feed, 72h allowed", slow, 0}, {"never had payment data", never, 0}, {"unknown client", 999999, 0}} {
		got, err := g.Hold(ctx, c.client)
		if err != nil || got != c.want {
			t.Errorf("%s: Hold = %s, %v; want %s", c.name, got, err, c.want)
		}
	}
	if n := d.count(watch.StaleData); n != 1 {
		t.Errorf("%d stale-data alerts, want 1", n)
	}
	off := &watch.Guard{DB: d.pool, Clock: clock.Fixed(now)}
	if got, err := off.Hold(ctx, stale); err != nil || got != 0 {
		t.Errorf("guard with no maximum age: %s, %v", got, err)
	}
	var none *watch.Guard
	if got, err := none.Hold(ctx, stale); err != nil || got != 0 {
		t.Errorf("nil guard: %s, %v", got, err)
	}

	// Fresh payments: the next look sends; a new stale episode alerts again.
	d.paymentsAsOf("default", now.Add(-time.Hour))
	if got, _ := g.Hold(ctx, stale); got != 0 {
		t.Errorf("after fresh payments: Hold = %s", got)
	}
	later := &watch.Guard{DB: d.pool, Clock: clock.Fixed(now.Add(48 * time.Hour)), Policy: g.Policy}
	if got, _ := later.Hold(ctx, stale); got != watch.DefaultRecheck {
		t.Errorf("two days later: Hold = %s", got)
	}
	if n := d.count(watch.StaleData); n != 2 {
		t.Errorf("%d stale-data alerts after a second episode, want 2", n)
	}
}

// Scan raises each kind of alert from what the ledger and the engine
// recorded, once: a second scan raises nothing.
func TestScanRaisesEachAlertOnce(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	c := d.client("default", "C1")
	d.exec(`UPDATE client SET name = 'Martin SA' WHERE id = $1`, c)
	inv := d.id(`SELECT id FROM invoice WHERE client_id = $1`, c)
	d.paymentsAsOf("default", now.Add(-50*time.Hour))
	d.exec(`INSERT INTO event (kind, client_id, detail, reason) VALUES
		('email_bounced', $1, '{"error": "550 5.1.1 no such user"}', NULL),
		('promise_broken', $1, '{"pay_by": "2025-09-10", "invoices": ["F-C1"]}', 'not paid by 2025-09-10'),
		('reminder_failed', $1, '{"job_id": 77, "error": "template level9: no such template"}', NULL),
		('insolvency_recorded', $1, '{"kind": "liquidation", "opened": "2025-09-05"}', 'liquidation'),
		('send_queue_paused', NULL, '{"refusals": 5, "error": "553 sender refused"}', 'relay_refused')`, c)
	// The letter provider's callbacks: a refusal and an undeliverable letter
	// alert, a delivery or a failed email copy does not.
	d.exec(`INSERT INTO event (kind, client_id, detail, reason, actor, day) VALUES
		('letter_refused', $1, '{"letter_id": 4, "invoices": ["F-C1"], "tracking": "1A12345678901"}', 'refusé par le destinataire', 'webhook:letters', '2025-09-11'),
		('letter_failed', $1, '{"letter_id": 5, "invoices": ["F-C1"]}', 'destinataire inconnu à l''adresse', 'webhook:letters', '2025-09-12'),
		('letter_delivered', $1, '{"letter_id": 6, "invoices": ["F-C1"]}', NULL, 'webhook:letters', '2025-09-12'),
		('letter_copy_failed', $1, '{"letter_id": 6}', '550 mailbox full', 'relance', '2025-09-12')`, c)
	d.exec(`UPDATE event SET actor = 'import:bodacc' WHERE kind = 'insolvency_recorded'`)
	d.exec(`INSERT INTO event (kind, client_id, detail, actor) VALUES ('insolvency_recorded', $1, '{"kind": "sauvegarde"}', 'cli:alice')`, c)
	d.exec(`INSERT INTO dispute (invoice_id, reason, opened_on) VALUES ($1, 'quality', '2025-08-01')`, inv)
	d.exec(`UPDATE client SET insolvency_kind = 'liquidation', insolvency_opened_on = '2025-08-20', insolvency_published_on = '2025-07-25' WHERE id = $1`, c)
	d.exec(`INSERT INTO river_job (kind, args, state, attempt, max_attempts, queue, priority, finalized_at, errors)
		VALUES ('relance_sweep', '{"day": "2025-09-12"}', 'discarded', 5, 5, 'sweep', 1, $1,
		        ARRAY['{"error": "sweep 2025-09-12: deadlock detected", "attempt": 5, "at": "2025-09-12T05:00:00Z"}'::jsonb])`, now.Add(-72*time.Hour))
	// Swept on Thursday 11 and Monday 15; not on Friday 12, a business day.
	if err := watch.SweepDone(ctx, d.pool, clock.Date(2025, 9, 11), "relance", 3, 2); err != nil {
		t.Fatal(err)
	}
	if err := watch.SweepDone(ctx, d.pool, clock.Date(2025, 9, 15), "relance", 3, 2); err != nil {
		t.Fatal(err)
	}

	s := &watch.Scanner{DB: d.pool, Clock: clock.Fixed(now), Location: paris, Policy: watch.Policy{MaxAge: 36 * time.Hour},
		WindowEnd: 18 * time.Hour}
	raised, err := s.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{watch.Bounce: 1, watch.PromiseBroken: 1, watch.JobFailed: 2, watch.Insolvency: 1, watch.QueuePaused: 1,
		watch.DisputeOverdue: 1, watch.ClaimDeadline: 1, watch.StaleData: 1, watch.SweepMissed: 1, watch.LetterReturned: 2}
	for k, n := range want {
		if raised[k] != n {
			t.Errorf("%s: %d raised, want %d (all: %v)", k, raised[k], n, raised)
		}
	}
	if len(raised) != len(want) {
		t.Errorf("raised %v, want %v", raised, want)
	}
	again, err := s.Scan(ctx)
	if err != nil || len(again) != 0 {
		t.Errorf("a second scan raised %v (%v)", again, err)
	}

	list, err := watch.List(ctx, d.pool, watch.Filter{Kinds: []string{watch.SweepMissed, watch.ClaimDeadline, watch.DisputeOverdue,
		watch.LetterReturned}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range list {
		got = append(got, a.Summary("fr"))
	}
	wantLines := []string{
		"C1 Martin SA : lettre n° 4 (F-C1) refusée le 11/09/2025 : refusé par le destinataire",
		"C1 Martin SA : lettre n° 5 (F-C1) non distribuée le 12/09/2025 : destinataire inconnu à l'adresse",
		"C1 Martin SA : litige sur F-C1 (quality) ouvert depuis 45 jours, au-delà de 30",
		"C1 Martin SA : créance à déclarer avant le 25/09/2025 (dans 10 jours)",
		"le balayage du 12/09/2025 n'a pas tourné avant 18:00",
	}
	if strings.Join(got, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("summaries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantLines, "\n"))
	}
}

// The collector reads the alerts and the data's age from the database at
// each scrape.
func TestCollectorReadsTheDatabase(t *testing.T) {
	d := newDB(t)
	d.client("default", "C1")
	d.paymentsAsOf("default", now.Add(-40*time.Hour))
	if _, err := watch.Raise(context.Background(), d.pool, watch.Alert{Kind: watch.Bounce}, "test:1", 0); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(&watch.Collector{DB: d.pool, Clock: clock.Fixed(now), Policy: watch.Policy{MaxAge: 36 * time.Hour}})
	want := `
# HELP relance_data_stale 1 while an entity's payment data is older than sweep.max_data_age: its sends wait.
# TYPE relance_data_stale gauge
relance_data_stale{entity="default"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "relance_data_stale"); err != nil {
		t.Error(err)
	}
	if n := value(t, reg, "relance_alerts_total", "alert_bounce"); n != 1 {
		t.Errorf("relance_alerts_total{kind=alert_bounce} = %v", n)
	}
	if n := value(t, reg, "relance_data_age_seconds", "default"); n != 40*3600 {
		t.Errorf("relance_data_age_seconds = %v", n)
	}
	for _, at := range []time.Duration{-20 * time.Minute, -5 * time.Minute, time.Hour} {
		state := "available"
		if at > 0 {
			state = "scheduled" // held: not waiting to run
		}
		d.exec(`INSERT INTO river_job (kind, args, state, attempt, max_attempts, queue, priority, scheduled_at)
			VALUES ('relance_send', '{}', $1, 0, 12, 'send', 1, $2)`, state, now.Add(at))
	}
	want = `
# HELP relance_sends_oldest_wait_seconds How long the oldest send job available to run has waited; 0 when none waits.
# TYPE relance_sends_oldest_wait_seconds gauge
relance_sends_oldest_wait_seconds 1200
# HELP relance_sends_waiting Send jobs available to run (not those held for stale data or until the send window).
# TYPE relance_sends_waiting gauge
relance_sends_waiting 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "relance_sends_waiting", "relance_sends_oldest_wait_seconds"); err != nil {
		t.Error(err)
	}
}

// value reads the metric of a family that has label among its values.
func value(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if f.GetName() == name && l.GetValue() == label {
					return m.GetCounter().GetValue() + m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{…%q…}", name, label)
	return 0
}

// Sends that wait past alerts.stuck_after while none finishes alert once
// per episode; a slow drain, a short wait and sends held for later do not.
func TestScanAlertsSendsThatDoNotMove(t *testing.T) {
	d := newDB(t)
	ctx := context.Background()
	s := &watch.Scanner{DB: d.pool, Clock: clock.Fixed(now), Location: paris, Policy: watch.Policy{},
		WindowEnd: 23 * time.Hour, StuckAfter: 30 * time.Minute}
	send := func(state string, scheduled time.Time, finalized *time.Time) int64 {
		return d.id(`INSERT INTO river_job (kind, args, state, attempt, max_attempts, queue, priority, scheduled_at, finalized_at)
			VALUES ('relance_send', '{}', $1, 0, 12, 'send', 1, $2, $3) RETURNING id`, state, scheduled, finalized)
	}
	scan := func(what string, want int) {
		t.Helper()
		raised, err := s.Scan(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if raised[watch.SendStuck] != want {
			t.Errorf("%s: %d send_stuck raised, want %d (all: %v)", what, raised[watch.SendStuck], want, raised)
		}
	}

	send("available", now.Add(-10*time.Minute), nil)
	send("scheduled", now.Add(2*time.Hour), nil) // held for stale data or the window
	scan("waiting 10 minutes", 0)

	first := send("available", now.Add(-45*time.Minute), nil)
	send("available", now.Add(-40*time.Minute), nil)
	finished := now.Add(-5 * time.Minute)
	done := send("completed", now.Add(-50*time.Minute), &finished)
	scan("a slow drain, a send finished 5 minutes ago", 0)

	d.exec(`DELETE FROM river_job WHERE id = $1`, done)
	d.exec(`INSERT INTO river_queue (name, paused_at, updated_at) VALUES ('send', $1, $1)`, now.Add(-time.Hour))
	scan("nothing finished in 30 minutes", 1)
	scan("the same episode", 0)
	list, err := watch.List(ctx, d.pool, watch.Filter{Kinds: []string{watch.SendStuck}})
	if err != nil || len(list) != 1 {
		t.Fatalf("%d alerts listed (%v)", len(list), err)
	}
	if got, want := list[0].Summary("fr"), "3 envois en attente depuis le 15/09/2025 18:15, aucun terminé depuis 30 min ; "+
		"la file d'envoi est suspendue depuis le 15/09/2025 18:00"; got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	if key := list[0].Detail["key"]; key != "send_stuck:"+strconv.FormatInt(first, 10) {
		t.Errorf("key %v, want the oldest waiting job's", key)
	}

	// The backlog drained; a later one that sticks is another episode.
	d.exec(`DELETE FROM river_job`)
	d.exec(`DELETE FROM river_queue`)
	send("available", now.Add(-31*time.Minute), nil)
	scan("a later backlog", 1)
}
