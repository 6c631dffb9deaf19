package worker

import (
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
)

func TestParseScheduleAndPeriodicSweep(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSchedule("0 7 * * *", paris)
	if err != nil {
		t.Fatal(err)
	}
	// 07:00 Paris is 05:00 UTC in summer, 06:00 UTC in winter.
	if got := s.Next(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2025, 7, 2, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("next after 2025-07-01 12:00Z = %s, want 2025-07-02 05:00Z", got.UTC())
	}
	if got := s.Next(time.Date(2025, 12, 1, 12, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2025, 12, 2, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("next after 2025-12-01 12:00Z = %s, want 2025-12-02 06:00Z", got.UTC())
	}
	for _, bad := range []string{"", "61 7 * * *", "CRON_TZ=UTC 0 7 * * *"} {
		if _, err := ParseSchedule(bad, paris); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
	for _, c := range []struct {
		now  time.Time
		want string // "" for no job
	}{
		{time.Date(2025, 9, 12, 3, 0, 0, 0, time.UTC), ""},            // 05:00 Paris: before the sweep time
		{time.Date(2025, 9, 12, 5, 0, 0, 0, time.UTC), "2025-09-12"},  // 07:00 Paris
		{time.Date(2025, 9, 12, 14, 0, 0, 0, time.UTC), "2025-09-12"}, // catch-up later that day
		{time.Date(2025, 9, 12, 22, 30, 0, 0, time.UTC), ""},          // 00:30 Paris on the 13th: wait for 07:00
	} {
		args, _ := sweepConstructor(s, clock.Fixed(c.now), paris)()
		got := ""
		if args != nil {
			got = args.(SweepArgs).Day
		}
		if got != c.want {
			t.Errorf("at %s: sweep %q, want %q", c.now, got, c.want)
		}
	}
}

func TestSendWindowNextOpening(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	w, err := ParseSendWindow("09:00-18:00", paris)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, c := range []struct{ now, want string }{
		{"2025-09-12 07:00", "2025-09-12 09:00"},
		{"2025-09-12 09:00", ""},
		{"2025-09-12 17:59", ""},
		{"2025-09-12 18:00", "2025-09-13 09:00"},
		{"2025-10-25 20:00", "2025-10-26 09:00"}, // the night the clocks go back
	} {
		got := w.NextOpening(at(c.now))
		if c.want == "" {
			if !got.IsZero() {
				t.Errorf("%s: %s, want now", c.now, got)
			}
			continue
		}
		if !got.Equal(at(c.want)) {
			t.Errorf("%s: %s, want %s", c.now, got.In(paris), c.want)
		}
	}
	if _, err := ParseSendWindow("18:00-09:00", paris); err == nil {
		t.Error("an inverted window was accepted")
	}
	if !(SendWindow{}).NextOpening(time.Now()).IsZero() {
		t.Error("the zero window is not always open")
	}
}
