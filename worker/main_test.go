package worker

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// weekendCalendar is a business-day calendar with weekends and the given
// holidays, for tests that must not depend on a country's real holidays.
type weekendCalendar map[time.Time]bool

func (h weekendCalendar) IsBusinessDay(d time.Time) bool {
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday && !h[d]
}
func (h weekendCalendar) NextBusinessDay(d time.Time) time.Time {
	for !h.IsBusinessDay(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}
func (h weekendCalendar) PrevBusinessDay(d time.Time) time.Time {
	for !h.IsBusinessDay(d) {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

func testCalendars(holidays ...time.Time) CalendarFor {
	cal := weekendCalendar{}
	for _, h := range holidays {
		cal[h] = true
	}
	return func(string) (Calendar, error) { return cal, nil }
}

// standardPlan is the default "standard" profile of plans/default.yaml,
// written out by hand.
func standardPlan() *plans.Set {
	p := &plans.Profile{
		Name:     "standard",
		Settings: plans.Settings{MinGap: 7, MinAmount: 1000, Calendar: "FR", SendWindow: "09:00-18:00"},
		Steps: []plans.Step{
			{ID: "pre_due", Offset: -5, Channel: "email", Template: "pre_due", Kind: plans.PreDue},
			{ID: "level1", Offset: 1, Channel: "email", Template: "level1", Kind: plans.Ladder, Level: 1},
			{ID: "level2", Offset: 15, Channel: "email", Template: "level2", Kind: plans.Ladder, Level: 2},
			{ID: "level3", Offset: 31, Channel: "email", Template: "level3", Penalties: true, Kind: plans.Ladder, Level: 3},
			{ID: "level4", Offset: 45, Channel: "email", Template: "level4", Penalties: true, Kind: plans.Ladder, Level: 4},
			{ID: "level5", Offset: 61, Channel: "registered_letter", Template: "formal_notice", Penalties: true, Kind: plans.Ladder, Level: 5},
			{ID: "provision", Offset: 121, Action: "provision", Kind: plans.Action},
		},
	}
	risky := &plans.Profile{
		Name:     "risky",
		Settings: plans.Settings{MinGap: 5, MinAmount: 1000, Calendar: "FR"},
		Steps: []plans.Step{
			{ID: "level1", Offset: 1, Channel: "email", Template: "level1", Kind: plans.Ladder, Level: 1},
			{ID: "call", Offset: 3, Action: "phone_call", Kind: plans.Action},
			{ID: "level2", Offset: 8, Channel: "email", Template: "level2", Penalties: true, Kind: plans.Ladder, Level: 2},
		},
	}
	return &plans.Set{Version: 1, Profiles: []*plans.Profile{p, risky},
		Assign: []plans.Rule{{Profile: "risky", Score: []string{"D", "E"}}, {Profile: "standard"}}}
}

func d(s string) time.Time {
	t, err := clock.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

// fixture inserts ledger rows with plain SQL.
type fixture struct {
	t    *testing.T
	pool *pgxpool.Pool
}

func (f fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.pool.Exec(context.Background(), sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f fixture) id(sql string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (f fixture) client(code, email string) int64 {
	f.t.Helper()
	emails := []string{}
	if email != "" {
		emails = append(emails, email)
	}
	return f.id(`INSERT INTO client (entity_id, code, name, emails) VALUES (1, $1, 'Client '||$1, $2) RETURNING id`, code, emails)
}

func (f fixture) invoice(client int64, number string, issue, due string, amount money.Amount) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, amount_excl_vat)
		VALUES (1, $1, $2, $3, $4, $5::bigint, $5::bigint * 10 / 12) RETURNING id`, client, number, d(issue), d(due), int64(amount))
}

// pay settles amount of an invoice on a date, as an import would.
func (f fixture) pay(invoice int64, on string, amount money.Amount) {
	f.t.Helper()
	f.exec(`INSERT INTO allocation (invoice_id, source, amount, applied_on) VALUES ($1, 'import', $2, $3)`, invoice, int64(amount), d(on))
	f.exec(`UPDATE invoice SET settled = settled + $2 WHERE id = $1`, invoice, int64(amount))
}

// insertOnlyClient is a River client that only inserts jobs.
func insertOnlyClient(t testing.TB, pool *pgxpool.Pool) *river.Client[pgx.Tx] {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[SendArgs]) error { return nil }))
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sweepDay runs one sweep for day in its own committed transaction.
func sweepDay(t testing.TB, pool *pgxpool.Pool, s *Sweeper, jobs JobInserter, day time.Time) SweepResult {
	t.Helper()
	return sweepDayWith(t, pool, s, jobs, day, SweepOptions{Now: true})
}

// sweepDayWith is sweepDay with opts.
func sweepDayWith(t testing.TB, pool *pgxpool.Pool, s *Sweeper, jobs JobInserter, day time.Time, opts SweepOptions) SweepResult {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	res, err := s.Run(ctx, tx, jobs, day, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return res
}

type pgxTx = pgx.Tx

func pgxCollectStrings(rows pgx.Rows) ([]string, error) {
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// queryStrings runs a query of one text column and returns its rows.
func queryStrings(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgxCollectStrings(rows)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sendDay marks the day's pending message rows sent that day, as the send
// workers would have: tests of the sweep alone need the ladder to move on.
func sendDay(t testing.TB, pool *pgxpool.Pool, day time.Time) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `UPDATE reminder SET status = 'sent', sent_on = $1, sent_at = now()
		WHERE status = 'pending' AND due_on = $1`, day); err != nil {
		t.Fatal(err)
	}
}

// sweepAndSend is sweepDay, then every message of the day sent that day.
func sweepAndSend(t testing.TB, pool *pgxpool.Pool, s *Sweeper, jobs JobInserter, day time.Time) SweepResult {
	t.Helper()
	res := sweepDay(t, pool, s, jobs, day)
	sendDay(t, pool, day)
	return res
}
