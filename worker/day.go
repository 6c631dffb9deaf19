package worker

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"
)

//go:embed day_jobs.sql
var dayJobsSQL string

// LeftForDay returns the send jobs of day that are not finalized — left by
// an interrupted `sweep --drain`, or still the daemon's — and, of those, the
// ones waiting for a time (the send window, a retry's backoff) that a drain
// brings forward.
func LeftForDay(ctx context.Context, q Querier, day time.Time) (all, later []int64, err error) {
	rows, err := q.Query(ctx, dayJobsSQL, day)
	if err != nil {
		return nil, nil, fmt.Errorf("jobs left for %s: %w", formatDay(day), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var wait bool
		if err := rows.Scan(&id, &wait); err != nil {
			return nil, nil, fmt.Errorf("jobs left for %s: %w", formatDay(day), err)
		}
		all = append(all, id)
		if wait {
			later = append(later, id)
		}
	}
	return all, later, rows.Err()
}

// DayReport is what became of a day's messages: its reminder rows (one per
// invoice and step) by outcome.
type DayReport struct {
	Sent    int
	Failed  int            // the client's address refused, or the message could not be produced
	Dropped map[string]int // by reason (paid, disputed…), rows returned to the sweep excepted
	// Pending rows wait on a live job; Returned rows' job died and they are
	// decided again on the next business day. Both are still waiting.
	Pending, Returned int
}

// Waiting is what has not gone out and still may.
func (r DayReport) Waiting() int { return r.Pending + r.Returned }

// DroppedTotal is the rows dropped at send time.
func (r DayReport) DroppedTotal() int {
	n := 0
	for _, c := range r.Dropped {
		n += c
	}
	return n
}

//go:embed day_report.sql
var dayReportSQL string

// ReportDay reads what became of the messages decided for day.
func ReportDay(ctx context.Context, q Querier, day time.Time) (DayReport, error) {
	r := DayReport{Dropped: map[string]int{}}
	rows, err := q.Query(ctx, dayReportSQL, day)
	if err != nil {
		return r, fmt.Errorf("report %s: %w", formatDay(day), err)
	}
	defer rows.Close()
	for rows.Next() {
		var status, reason string
		var n int
		if err := rows.Scan(&status, &reason, &n); err != nil {
			return r, fmt.Errorf("report %s: %w", formatDay(day), err)
		}
		switch {
		case status == "sent":
			r.Sent += n
		case status == "failed":
			r.Failed += n
		case status == "pending":
			r.Pending += n
		case strings.HasPrefix(reason, "job_"):
			r.Returned += n
		default:
			r.Dropped[reason] += n
		}
	}
	return r, rows.Err()
}
