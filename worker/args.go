package worker

import (
	"time"

	"github.com/riverqueue/river"
)

// Queue names. The sweep has its own queue so that a long send backlog never
// delays the next day's evaluation.
const (
	QueueSweep = "sweep"
	QueueSend  = "send"
)

// SweepArgs asks for the evaluation of one business date. It is unique by
// args: a restart, a second replica or a leader change that schedules the
// same day again is skipped by River as long as the first job row exists, and
// the reminder ledger's unique constraint covers the time after River's
// cleaner has deleted it.
type SweepArgs struct {
	Day string `json:"day"` // YYYY-MM-DD, the date the sweep evaluates
}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "relance_sweep" }

// InsertOpts puts sweeps on their queue, unique per day.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueSweep,
		MaxAttempts: 5,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// SendArgs is one message: every reminder row decided for ClientID on Day on
// Channel (one per invoice that reached a step that day), for invoices in
// Currency.
type SendArgs struct {
	ClientID    int64   `json:"client_id"`
	Day         string  `json:"day"`
	Channel     string  `json:"channel"`
	Currency    string  `json:"currency"`
	ReminderIDs []int64 `json:"reminder_ids"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return "relance_send" }

// SendMaxAttempts bounds the retries of a temporary SMTP failure. With
// SendBackoff that is about two days of trying before the job is discarded
// and its rows stay 'pending' for an operator to see.
const SendMaxAttempts = 12

// InsertOpts puts sends on their queue.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSend, MaxAttempts: SendMaxAttempts}
}

// SendBackoff is the wait before retry number attempt (1-based) of a send
// that failed temporarily: 30s, 2m, 4.5m, 8m… (30s × attempt²), capped at 6h.
// A 421 from a greylisting server is usually over in a few minutes.
func SendBackoff(attempt int) time.Duration {
	d := 30 * time.Second * time.Duration(attempt*attempt)
	return min(d, 6*time.Hour)
}

func formatDay(d time.Time) string { return d.Format(time.DateOnly) }
