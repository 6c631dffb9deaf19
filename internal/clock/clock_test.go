package clock

import (
	"testing"
	"time"
)

func TestTodayUsesTheConfiguredZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// 23:30 UTC on 31 December is already 1 January in Paris.
	c := Fixed(time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC))
	if got, want := Today(c, paris), Date(2026, 1, 1); !got.Equal(want) {
		t.Errorf("Today(Paris) = %s, want %s", got, want)
	}
	if got, want := Today(c, time.UTC), Date(2025, 12, 31); !got.Equal(want) {
		t.Errorf("Today(UTC) = %s, want %s", got, want)
	}
}

func TestAsOf(t *testing.T) {
	c := Fixed(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	got, err := AsOf("", c, time.UTC)
	if err != nil || !got.Equal(Date(2025, 3, 1)) {
		t.Errorf("AsOf(\"\") = %s, %v", got, err)
	}
	got, err = AsOf("2024-02-29", c, time.UTC)
	if err != nil || !got.Equal(Date(2024, 2, 29)) {
		t.Errorf("AsOf(2024-02-29) = %s, %v", got, err)
	}
	for _, bad := range []string{"2025-02-30", "31/12/2025", "tomorrow"} {
		if _, err := AsOf(bad, c, time.UTC); err == nil {
			t.Errorf("AsOf(%q) accepted", bad)
		}
	}
}

func TestDaysBetweenAndEndOfMonth(t *testing.T) {
	if d := DaysBetween(Date(2025, 7, 14), Date(2025, 9, 12)); d != 60 {
		t.Errorf("DaysBetween = %d, want 60", d)
	}
	// Across the October DST change the day count stays whole.
	if d := DaysBetween(Date(2025, 10, 1), Date(2025, 11, 1)); d != 31 {
		t.Errorf("DaysBetween across DST = %d, want 31", d)
	}
	for in, want := range map[time.Time]time.Time{
		Date(2024, 2, 10):  Date(2024, 2, 29),
		Date(2025, 2, 28):  Date(2025, 2, 28),
		Date(2025, 12, 15): Date(2025, 12, 31),
	} {
		if got := EndOfMonth(in); !got.Equal(want) {
			t.Errorf("EndOfMonth(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestFromRunsFromItsStart: a clock From a past morning reads that morning,
// then runs on, in that day.
func TestFromRunsFromItsStart(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 9, 12, 9, 0, 0, 0, paris)
	c := From(start)
	first := c.Now()
	if first.Before(start) || first.After(start.Add(time.Hour)) {
		t.Errorf("From(%v) reads %v", start, first)
	}
	if second := c.Now(); second.Before(first) {
		t.Errorf("the clock went back from %v to %v", first, second)
	}
	if got := Today(c, paris); !got.Equal(Date(2025, 9, 12)) {
		t.Errorf("Today = %v, want 2025-09-12", got)
	}
}
