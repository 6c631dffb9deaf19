package calendar

import (
	"errors"
	"testing"
	"time"
)

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestBusinessDays(t *testing.T) {
	tests := []struct {
		country, date string
		want          bool
	}{
		{"FR", "2025-07-14", false}, // Fête nationale, a Monday
		{"FR", "2025-08-15", false}, // Assomption, a Friday
		{"FR", "2025-04-21", false}, // Easter Monday 2025
		{"FR", "2025-06-09", false}, // Whit Monday 2025
		{"FR", "2025-05-08", false}, // Victoire 1945
		{"FR", "2025-12-25", false},
		{"FR", "2025-07-15", true},
		{"FR", "2025-07-12", false}, // Saturday
		{"FR", "2025-07-13", false}, // Sunday
		{"", "2025-07-14", false},   // empty country is FR
		{"DE", "2025-07-14", true},  // not a German holiday
		{"DE", "2025-10-03", false}, // Tag der Deutschen Einheit
		{"GB", "2025-08-25", false}, // Summer bank holiday
		{"UK", "2025-08-25", false},
		{"GB", "2025-07-14", true},
		{"GB", "2027-12-27", false}, // Christmas on a Saturday, observed Monday 27th
		{"GB", "2027-12-28", false}, // Boxing Day on a Sunday, observed Tuesday 28th
		{"fr", "2026-05-14", false}, // Ascension 2026
	}
	for _, tt := range tests {
		c, err := For(tt.country)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.IsBusinessDay(d(tt.date)); got != tt.want {
			t.Errorf("%s %s (%s): IsBusinessDay = %v, want %v", tt.country, tt.date, d(tt.date).Weekday(), got, tt.want)
		}
	}
}

func TestNextAndPrev(t *testing.T) {
	fr, _ := For("FR")
	tests := []struct{ date, next, prev string }{
		{"2025-07-12", "2025-07-15", "2025-07-11"}, // Saturday before 14 July
		{"2025-07-14", "2025-07-15", "2025-07-11"},
		{"2025-08-15", "2025-08-18", "2025-08-14"},
		{"2025-07-15", "2025-07-15", "2025-07-15"},
		{"2026-01-01", "2026-01-02", "2025-12-31"},
	}
	for _, tt := range tests {
		if got := fr.NextBusinessDay(d(tt.date)); !got.Equal(d(tt.next)) {
			t.Errorf("Next(%s) = %s, want %s", tt.date, got.Format(time.DateOnly), tt.next)
		}
		if got := fr.PrevBusinessDay(d(tt.date)); !got.Equal(d(tt.prev)) {
			t.Errorf("Prev(%s) = %s, want %s", tt.date, got.Format(time.DateOnly), tt.prev)
		}
	}
}

func TestUnknownCountryFallsBackToWeekends(t *testing.T) {
	c, err := For("ZZ")
	if !errors.Is(err, ErrUnknownCountry) {
		t.Fatalf("err = %v, want ErrUnknownCountry", err)
	}
	if c == nil || !c.IsBusinessDay(d("2025-12-25")) || c.IsBusinessDay(d("2025-12-27")) {
		t.Error("the fallback calendar should be Monday–Friday without holidays")
	}
	if Known("ZZ") || !Known("uk") || !Known("") {
		t.Error("Known disagrees with For")
	}
}

func TestHolidays(t *testing.T) {
	fr, _ := For("FR")
	got := fr.Holidays(d("2025-07-01"), d("2025-08-31"))
	if len(got) != 2 || !got[0].Equal(d("2025-07-14")) || !got[1].Equal(d("2025-08-15")) {
		t.Errorf("FR holidays July–August 2025 = %v", got)
	}
	if n := len(fr.Holidays(d("2025-01-01"), d("2025-12-31"))); n != 11 {
		t.Errorf("FR has %d public holidays in 2025, want 11", n)
	}
}
