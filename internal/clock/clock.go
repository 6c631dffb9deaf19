// Package clock is relance's only source of "now". Every decision (aging,
// which step fires, penalties) takes a date from here, so that a fixed clock
// or an `--as-of` date replays any day exactly.
//
// Business dates are represented as time.Time at 00:00 UTC: they name a
// calendar day, not an instant, and comparing or subtracting them is exact.
// pgx reads and writes PostgreSQL `date` columns in that same form.
package clock

import (
	"fmt"
	"time"
)

// Clock tells the current instant.
type Clock interface {
	Now() time.Time
}

// System is the wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Fixed is a clock stopped at one instant, for tests and replays.
type Fixed time.Time

// Now returns the fixed instant.
func (f Fixed) Now() time.Time { return time.Time(f) }

// Shifted is the wall clock moved by a constant offset: it runs, as the
// wall clock does, from the instant From gave it. `relance demo` serves its
// portfolio's day as today with it, and its sessions still age.
type Shifted struct{ by time.Duration }

// From returns a clock that reads start now and runs on from there.
func From(start time.Time) Shifted { return Shifted{by: time.Until(start)} }

// Now returns the wall clock's instant moved by the offset.
func (s Shifted) Now() time.Time { return time.Now().Add(s.by) }

// Today returns the calendar date of c's current instant in loc, as a date
// (00:00 UTC). Near midnight UTC this differs from the UTC date, which is why
// the configured time zone (Europe/Paris by default) always goes through here.
func Today(c Clock, loc *time.Location) time.Time {
	return DateOf(c.Now(), loc)
}

// DateOf returns the calendar date of instant t in loc, as a date.
func DateOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return Date(y, m, d)
}

// Date builds a date (00:00 UTC).
func Date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}

// ParseDate reads an ISO date (2025-01-15), as `--as-of` takes it.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	return t, nil
}

// DaysBetween returns to − from in whole calendar days; both must be dates.
func DaysBetween(from, to time.Time) int {
	return int(to.Sub(from).Hours() / 24)
}

// EndOfMonth returns the last day of the month of date d.
func EndOfMonth(d time.Time) time.Time {
	return Date(d.Year(), d.Month()+1, 0)
}

// AsOf resolves the date a command works on: the `--as-of` flag when given,
// else today in loc according to c.
func AsOf(flag string, c Clock, loc *time.Location) (time.Time, error) {
	if flag == "" {
		return Today(c, loc), nil
	}
	return ParseDate(flag)
}
