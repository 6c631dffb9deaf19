package watch

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/clock"
)

var (
	//go:embed sql/scan_events.sql
	scanEventsSQL string
	//go:embed sql/scan_jobs.sql
	scanJobsSQL string
	//go:embed sql/scan_disputes.sql
	scanDisputesSQL string
	//go:embed sql/scan_claims.sql
	scanClaimsSQL string
	//go:embed sql/sweeps_done.sql
	sweepsDoneSQL string
	//go:embed sql/sweep_done.sql
	sweepDoneSQL string
	//go:embed sql/scan_stuck_sends.sql
	scanStuckSendsSQL string
	//go:embed sql/entity_countries.sql
	entityCountriesSQL string
)

// Defaults of the scan's limits (config alerts.*).
const (
	DefaultDisputeDays = 30                 // alerts.dispute_days
	DefaultClaimDays   = 15                 // alerts.claim_days
	DefaultLookback    = 7 * 24 * time.Hour // how far back Scan reads events and jobs
	DefaultStuckAfter  = 30 * time.Minute   // alerts.stuck_after
)

// BusinessDays says which days are business days in a country
// (internal/calendar).
type BusinessDays interface {
	IsBusinessDay(day time.Time) bool
}

// Scanner raises the alerts drawn from what the ledger and the engine
// record. Every check is one set-based statement, idempotent: Scan may
// run on any replica, as often as wanted.
type Scanner struct {
	DB       DB
	Clock    clock.Clock
	Location *time.Location // "today" and the send window's end
	Policy   Policy         // of the stale-data alert
	// WindowEnd is the send window's end, from local midnight: a business
	// day whose sweep has not run by then is missed.
	WindowEnd time.Duration
	// Calendar gives the business days of a country; a day is a business
	// day when it is one in the country of any entity. Nil: Monday to
	// Friday.
	Calendar    func(country string) (BusinessDays, error)
	DisputeDays int           // 0: DefaultDisputeDays
	ClaimDays   int           // 0: DefaultClaimDays
	Lookback    time.Duration // 0: DefaultLookback
	// StuckAfter is how long sends may wait with none finishing before
	// the send_stuck alert; 0: DefaultStuckAfter.
	StuckAfter time.Duration
}

// Scan runs every check at the clock's now and returns the alerts it
// raised, by kind.
func (s *Scanner) Scan(ctx context.Context) (map[string]int, error) {
	now := s.Clock.Now()
	today := clock.DateOf(now, s.location())
	since := now.Add(-or(s.Lookback, DefaultLookback))
	raised := map[string]int{}
	for _, st := range []struct {
		what string
		sql  string
		args []any
	}{
		{"events", scanEventsSQL, []any{since, s.location().String()}},
		{"jobs", scanJobsSQL, []any{since, s.location().String()}},
		{"disputes", scanDisputesSQL, []any{today, or(s.DisputeDays, DefaultDisputeDays)}},
		{"claims", scanClaimsSQL, []any{today, or(s.ClaimDays, DefaultClaimDays)}},
		{"stuck sends", scanStuckSendsSQL, []any{now, or(s.StuckAfter, DefaultStuckAfter), s.location().String()}},
	} {
		if err := count(ctx, s.DB, raised, st.sql, st.args...); err != nil {
			return raised, fmt.Errorf("watch: scan %s: %w", st.what, err)
		}
	}
	if err := s.stale(ctx, now, today, raised); err != nil {
		return raised, err
	}
	if err := s.missedSweeps(ctx, now, raised); err != nil {
		return raised, err
	}
	return raised, nil
}

// count runs a statement returning (kind, count) rows and adds them up.
func count(ctx context.Context, db DB, into map[string]int, sql string, args ...any) error {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	var kind string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&kind, &n}, func() error {
		into[kind] += n
		return nil
	})
	return err
}

// stale raises the alert of every entity whose payment data is stale, once
// per episode, and of every entity that never had any, once.
func (s *Scanner) stale(ctx context.Context, now, today time.Time, raised map[string]int) error {
	all, err := Ages(ctx, s.DB, now, s.Policy)
	if err != nil {
		return err
	}
	for _, d := range all {
		if !d.Stale && !d.Never {
			continue
		}
		ok, err := Raise(ctx, s.DB, staleAlert(d, today), d.Key(), 0)
		if err != nil {
			return err
		}
		if ok {
			raised[StaleData]++
		}
	}
	return nil
}

// missedSweeps raises an alert for each of the last few business days
// whose send window has ended without a sweep, from the first day relance
// ever swept.
func (s *Scanner) missedSweeps(ctx context.Context, now time.Time, raised map[string]int) error {
	isBusiness, err := s.businessDays(ctx)
	if err != nil {
		return err
	}
	local := now.In(s.location())
	var days []time.Time
	for back := range 4 {
		day := clock.DateOf(local, s.location()).AddDate(0, 0, -back)
		end := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, s.location()).Add(s.WindowEnd)
		if local.Before(end) || !isBusiness(day) {
			continue
		}
		days = append(days, day)
	}
	if len(days) == 0 {
		return nil
	}
	var done []time.Time
	var first *time.Time
	if err := s.DB.QueryRow(ctx, sweepsDoneSQL, days).Scan(&done, &first); err != nil {
		return fmt.Errorf("watch: scan sweeps: %w", err)
	}
	if first == nil {
		return nil // relance never swept: nothing was missed yet
	}
	swept := map[time.Time]bool{}
	for _, d := range done {
		swept[d] = true
	}
	for _, day := range days {
		if swept[day] || day.Before(*first) {
			continue
		}
		a := Alert{Kind: SweepMissed, Day: day, Reason: "no sweep by the end of the send window",
			Detail: map[string]any{"day": day.Format(time.DateOnly), "window_end": formatOffset(s.WindowEnd)}}
		ok, err := Raise(ctx, s.DB, a, "sweep:"+day.Format(time.DateOnly), 0)
		if err != nil {
			return err
		}
		if ok {
			raised[SweepMissed]++
		}
	}
	return nil
}

// businessDays returns whether a day is a business day in the country of
// any entity.
func (s *Scanner) businessDays(ctx context.Context) (func(time.Time) bool, error) {
	weekday := func(d time.Time) bool { return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday }
	if s.Calendar == nil {
		return weekday, nil
	}
	rows, err := s.DB.Query(ctx, entityCountriesSQL)
	if err != nil {
		return nil, fmt.Errorf("watch: scan sweeps: %w", err)
	}
	countries, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("watch: scan sweeps: %w", err)
	}
	var cals []BusinessDays
	for _, c := range countries {
		cal, err := s.Calendar(c)
		if err != nil {
			return nil, fmt.Errorf("watch: scan sweeps: %w", err)
		}
		cals = append(cals, cal)
	}
	return func(d time.Time) bool {
		for _, c := range cals {
			if c.IsBusinessDay(d) {
				return true
			}
		}
		return len(cals) == 0 && weekday(d)
	}, nil
}

// SweepDone records that the sweep of day ran (by actor: "relance" for the
// daemon's), once per day: a day without it by the end of the send window
// is a missed sweep.
func SweepDone(ctx context.Context, db DB, day time.Time, actor string, decisions, messages int) error {
	if _, err := db.Exec(ctx, sweepDoneSQL, day, actor, decisions, messages); err != nil {
		return fmt.Errorf("watch: record the sweep of %s: %w", day.Format(time.DateOnly), err)
	}
	return nil
}

func (s *Scanner) location() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

func or[T comparable](v, otherwise T) T {
	var zero T
	if v == zero {
		return otherwise
	}
	return v
}

func formatOffset(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
}
