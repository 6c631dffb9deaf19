// Package worker holds relance's River jobs: the daily sweep that decides which
// (invoice, step) pairs are due and records them in the reminder ledger, and
// the send worker that re-checks, renders and sends one message per client,
// day, channel and currency.
//
// The data flows one way (DESIGN.md §3): the sweep evaluates every open
// invoice in one set-based SQL statement (sweep.sql), inserts the decisions
// into the reminder ledger (unique on invoice and step, so nothing is ever
// decided twice) and inserts the River send jobs in the same transaction; the
// send worker marks the rows sent in the same transaction as
// river.JobCompleteTx.
//
// Choices worth knowing:
//
//   - Replay. The sweep of day D reads the ledger as of D: settlements applied
//     after D are added back, reminder rows with due_on < D are history, rows
//     with due_on = D are that day's decisions and are reported again
//     (Decision.Fresh false) by a replay, which enqueues nothing new. The SQL
//     agrees with plans.Resolve, the reference, on a randomized portfolio.
//   - Revival. A row the send worker drops (paid, disputed, under promise,
//     insolvent, client paused or excluded, bouncing address… reason in
//     drop_reason) is not history: the
//     ladder does not count it, and when the step comes due again the sweep
//     revives that same row (status back to pending, due_on moved to the new
//     day). A replay of the day it was first decided then no longer finds it.
//     A sent or failed row is never touched again.
//   - Bounces. A permanent rejection (5xx) marks the client's address
//     bouncing (email_bouncing_since, email_bounce_reason), fails the rows,
//     records an 'email_bounced' event and cancels the job. From that day the
//     sweep decides no email step for the client (so the ladder waits) until
//     someone clears the mark; registered letters still go.
//   - Actions. Provision and phone_call steps are carried out by the sweep
//     itself (a provision proposal + 'provision_proposed' event, or a task)
//     and their ledger rows are recorded 'sent' at once. Like messages they
//     wait while the invoice is disputed or promised, or the client
//     insolvent, paused or excluded.
//   - What ends by itself. Each sweep first calls ledger's Settle: promises
//     whose amount was paid are kept (released that day), those past their
//     end unpaid are broken (dunning resumes the day after, where it
//     stopped), disputes past their `until` are closed. Outcomes are dated
//     by the data, so replays decide as the day itself did.
//   - Parties and law. The creditor's identity (name, address, SIREN, VAT,
//     IBAN) comes from the client's entity and the debtor's address from the
//     client, both through internal/ledger; penalties follow the debtor's
//     country's rule set unless penalties.rule_set fixes one.
//   - Registered letters (level 5) are laid out as A4 PDFs (internal/letter)
//     into <mail.dir>/letters/<day>/<client code>-<step>.pdf, ready for
//     posting or upload to an electronic registered-letter provider; they
//     are not emailed.
//   - Send window. Jobs enqueued by the scheduled sweep outside the window
//     (cfg.Sweep.SendWindow in cfg.TimeZone) are scheduled for its next
//     opening; a replay (--as-of) or `sweep --drain` sends at once.
//   - Concurrency. Sweeps take a transaction-level advisory lock, so two
//     sweeps never interleave one client's invoices into two messages; the
//     send worker locks its rows FOR UPDATE and skips rows no longer pending.
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
