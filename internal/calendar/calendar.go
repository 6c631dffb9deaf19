// Package calendar says which days are business days in a client's country:
// Monday to Friday minus the country's public holidays, from
// github.com/rickar/cal/v2.
//
// Business dates are time.Time at 00:00 UTC (see internal/clock); only the
// year, month and day of a date are read.
package calendar

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/nl"
)

// ErrUnknownCountry is returned by For for a country without a holiday table.
var ErrUnknownCountry = errors.New("no holiday calendar for this country")

// Default is the country used when a client has none (FR, as in the design).
const Default = "FR"

// holidays are the national public-holiday tables relance knows, keyed by ISO
// 3166-1 alpha-2 code. UK is accepted as an alias of GB (England and Wales
// bank holidays, as rickar/cal ships them).
var holidays = map[string][]*cal.Holiday{
	"AT": at.Holidays,
	"BE": be.Holidays,
	"CH": ch.Holidays,
	"DE": de.Holidays,
	"ES": es.Holidays,
	"FR": fr.Holidays,
	"GB": gb.Holidays,
	"IE": ie.Holidays,
	"IT": it.Holidays,
	"NL": nl.Holidays,
}

// Calendar is the business-day calendar of one country. It is safe for
// concurrent use; holidays are computed once per year and kept.
type Calendar struct {
	country  string
	holidays []*cal.Holiday

	mu    sync.Mutex
	years map[int]map[time.Time]bool // year → holiday dates (00:00 UTC)
}

// Countries lists the country codes For accepts, sorted (UK excluded: it is
// an alias of GB).
func Countries() []string {
	out := make([]string, 0, len(holidays))
	for c := range holidays {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Known reports whether For accepts country without error.
func Known(country string) bool {
	_, ok := holidays[normalize(country)]
	return ok
}

func normalize(country string) string {
	c := strings.ToUpper(strings.TrimSpace(country))
	switch c {
	case "":
		return Default
	case "UK":
		return "GB"
	}
	return c
}

// For returns the calendar of country (ISO code, case-insensitive; "" means
// FR, "UK" means GB).
//
// For a country without a holiday table it returns a weekend-only calendar
// (Monday to Friday are business days) together with an error wrapping
// ErrUnknownCountry. Callers that must not stop on an unknown country (the
// sweep, the preview) may use that calendar and log the error; plan
// validation rejects an unknown `calendar:` key instead.
func For(country string) (*Calendar, error) {
	code := normalize(country)
	hs, ok := holidays[code]
	c := &Calendar{country: code, holidays: hs, years: map[int]map[time.Time]bool{}}
	if !ok {
		return c, fmt.Errorf("calendar %q: %w (using Monday–Friday without holidays; known: %s)",
			country, ErrUnknownCountry, strings.Join(Countries(), ", "))
	}
	return c, nil
}

// Country returns the calendar's country code ("GB" for UK).
func (c *Calendar) Country() string { return c.country }

// IsBusinessDay reports whether d is a weekday that is not a public holiday.
func (c *Calendar) IsBusinessDay(d time.Time) bool {
	d = day(d)
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !c.IsHoliday(d)
}

// IsHoliday reports whether d is a public holiday (observed) of the country.
func (c *Calendar) IsHoliday(d time.Time) bool {
	d = day(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	set, ok := c.years[d.Year()]
	if !ok {
		set = map[time.Time]bool{}
		for _, h := range c.holidays {
			// A holiday observed on another day than its actual date (GB moves
			// Christmas on a Saturday to Monday) is off on the observed day;
			// the wrap-around of New Year's Day into December is looked up
			// from the neighbouring years.
			for _, y := range []int{d.Year() - 1, d.Year(), d.Year() + 1} {
				act, obs := h.Calc(y)
				if !obs.IsZero() {
					if o := day(obs); o.Year() == d.Year() {
						set[o] = true
					}
				} else if !act.IsZero() {
					if a := day(act); a.Year() == d.Year() {
						set[a] = true
					}
				}
			}
		}
		c.years[d.Year()] = set
	}
	return set[d]
}

// Holidays lists the public holidays from from to to inclusive, in order
// (weekends not included), e.g. to hand a set-based SQL query the days it
// must skip.
func (c *Calendar) Holidays(from, to time.Time) []time.Time {
	var out []time.Time
	for d := day(from); !d.After(day(to)); d = d.AddDate(0, 0, 1) {
		if c.IsHoliday(d) {
			out = append(out, d)
		}
	}
	return out
}

// NextBusinessDay returns the first business day on or after d.
func (c *Calendar) NextBusinessDay(d time.Time) time.Time {
	d = day(d)
	for !c.IsBusinessDay(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// PrevBusinessDay returns the last business day on or before d.
func (c *Calendar) PrevBusinessDay(d time.Time) time.Time {
	d = day(d)
	for !c.IsBusinessDay(d) {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// day truncates t to its date at 00:00 UTC, reading t's own year, month and day.
func day(t time.Time) time.Time {
	y, m, dd := t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}
