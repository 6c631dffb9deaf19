package worker

import (
	"fmt"
	"time"

	"github.com/relance/relance/internal/config"
)

// SendWindow is the local time of day reminders may leave, e.g. 09:00–18:00
// Europe/Paris. The zero value is always open.
type SendWindow struct {
	Start, End time.Duration // offsets from local midnight
	Location   *time.Location
}

// ParseSendWindow reads "09:00-18:00" in loc.
func ParseSendWindow(s string, loc *time.Location) (SendWindow, error) {
	start, end, err := config.ParseWindow(s)
	if err != nil {
		return SendWindow{}, fmt.Errorf("send window: %w", err)
	}
	return SendWindow{Start: start, End: end, Location: loc}, nil
}

// NextOpening returns the zero time when now is inside the window (send at
// once), else the instant the window next opens: today's opening before it,
// tomorrow's after it. Days are counted in the window's zone, so a DST change
// moves the opening with the local clock.
func (w SendWindow) NextOpening(now time.Time) time.Time {
	if w.Location == nil || w.End <= w.Start {
		return time.Time{}
	}
	local := now.In(w.Location)
	y, m, d := local.Date()
	opening := func(day int) time.Time {
		mins := int(w.Start / time.Minute)
		return time.Date(y, m, day, mins/60, mins%60, 0, 0, w.Location)
	}
	closing := time.Date(y, m, d, int(w.End/time.Hour), int(w.End%time.Hour/time.Minute), 0, 0, w.Location)
	switch {
	case local.Before(opening(d)):
		return opening(d)
	case local.Before(closing):
		return time.Time{}
	default:
		return opening(d + 1)
	}
}
