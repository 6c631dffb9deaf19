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
//     insolvent, bouncing address… reason in drop_reason) is not history: the
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
//     wait while the invoice is disputed, promised or the client insolvent.
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
