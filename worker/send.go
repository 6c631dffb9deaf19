package worker

import (
	"cmp"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/templates"
)

// Renderer renders a template for a message; *templates.Set is one.
type Renderer interface {
	Render(name string, data templates.Message) (templates.Rendered, error)
}

// Mailer is the part of a mail transport the send worker uses: a
// connection to the relay, taken before the ledger rows are locked.
// *mail.SMTP and *mail.File are ones. Errors are told apart with
// mail.FaultOf: only mail.RecipientRefused blames the client.
type Mailer interface {
	Acquire(ctx context.Context) (mail.Conn, error)
}

// Debt is one late invoice as the penalty calculator needs it.
type Debt struct {
	Amount     money.Amount // incl. VAT
	Currency   string
	DueDate    time.Time
	Payments   []Settlement // every settlement of the invoice, dated
	FrozenFrom time.Time    // insolvency opening: accrual stops; zero for none
	Country    string       // the debtor's: picks the rule set unless the configuration fixes one
}

// Settlement is an amount settled on a day.
type Settlement struct {
	Day    time.Time
	Amount money.Amount
}

// PenaltyCalculator computes the late-payment penalties of one invoice as of
// a day (internal/penalty): interest since the day after the due date, by
// half-year with each period's rate, and the fixed indemnity.
type PenaltyCalculator interface {
	Penalty(d Debt, asOf time.Time) (penalty.Result, error)
	// RuleSet names the law applied to a debtor in country (FR, EU, DE,
	// UK), which the templates cite.
	RuleSet(country string) string
}

// MailSettings are the headers and links every message carries (cfg.Mail).
type MailSettings struct {
	From, ReplyTo, Bcc string
	PaymentLink        templates.PaymentLink // parsed mail.payment_link; zero: no links
	LettersDir         string                // where registered letters are written
}

// MessageSettings shape what a message says (cfg.Templates, cfg.Letters).
// The zero value means the defaults: 30 and 8 days.
type MessageSettings struct {
	// OversightDays: a first reminder calls the delay a probable oversight
	// while the oldest overdue invoice is at most this many days late.
	OversightDays int
	// DeadlineDays: a formal notice gives this many days to pay.
	DeadlineDays int
}

func (s MessageSettings) orDefaults() MessageSettings {
	if s == (MessageSettings{}) {
		return MessageSettings{OversightDays: 30, DeadlineDays: 8}
	}
	return s
}

// Counters is what the send worker counts (Prometheus metrics in serve).
type Counters interface {
	Sent(channel string, n int)
	Failed(channel string, n int)
	Dropped(reason string, n int)
	// Refused counts a refusal that is our configuration's or our relay's,
	// by the SMTP stage it came at.
	Refused(stage string)
	// SendQueuePaused says whether this process paused the send queue.
	SendQueuePaused(paused bool)
	// RecheckToAccept is the time from the re-check of a message's rows to
	// the relay's acceptance of it.
	RecheckToAccept(d time.Duration)
}

// FreshnessGuard says whether a client's sends must wait for fresh payment
// data (*watch.Guard). Stale judges the as-of the lock statement read,
// without a query; only a send it holds calls Hold, which raises the alert
// and returns the wait.
type FreshnessGuard interface {
	Stale(entity string, paymentsAsOf time.Time) bool
	Hold(ctx context.Context, clientID int64) (time.Duration, error)
}

// SendWorker works SendArgs: it re-checks, renders and delivers one message
// and records the outcome in the reminder ledger in the transaction that
// locked the rows; River's batch completer completes the job after the
// commit (see the package documentation: the rows' status, not the job's,
// makes a message go once).
type SendWorker struct {
	river.WorkerDefaults[SendArgs]

	Pool      *pgxpool.Pool
	Plans     *plans.Set
	Templates Renderer
	Mail      Mailer
	Penalties PenaltyCalculator // nil: no penalties shown
	Settings  MailSettings
	Messages  MessageSettings
	Clock     clock.Clock
	Location  *time.Location // the time zone of "today"
	Logger    *slog.Logger
	Counters  Counters // nil: not counted
	// Provider takes the letters of entities whose letter channel is
	// webhook; nil: letters.webhook.url is not set.
	Provider LetterProvider

	// Backoff overrides SendBackoff (tests use a short one).
	Backoff func(attempt int) time.Duration
	// JobTimeout bounds one send job (connection, re-check, SMTP
	// transaction); 0 means DefaultSendTimeout. River rescues the jobs of
	// a killed process RescueAfter(JobTimeout) after they started.
	JobTimeout time.Duration
	// PauseAfter is how many refusals in a row that are ours (5xx on
	// connect, AUTH, MAIL FROM, DATA or our Bcc) pause the send queue; 0
	// never pauses.
	PauseAfter int
	// Guard holds the sends of an entity whose payment data is stale: the
	// job is snoozed (not an attempt, not lost) and looks again after the
	// wait. Nil holds nothing (`sweep --drain --ignore-stale`).
	Guard FreshnessGuard
	// Concurrency bounds the jobs that send at once, each with its
	// database connection (sweep.send_concurrency; NewClient sets it):
	// River hands the process more jobs than that, and the others wait
	// for a turn. 0: no bound.
	Concurrency int

	refusals  relayRefusals
	turnsOnce sync.Once
	turns     chan struct{} // Concurrency tokens
}

// turn waits for one of the Concurrency turns to send; done gives it back.
// A job that finds no turn within patience, or whose context ends while it
// waits, has done nothing: it is snoozed, which spends no attempt, so a
// relay slower than the jobs in hand can take delays them, never discards
// them.
func (w *SendWorker) turn(ctx context.Context, patience time.Duration) (done func(), err error) {
	if w.Concurrency <= 0 {
		return func() {}, nil
	}
	w.turnsOnce.Do(func() { w.turns = make(chan struct{}, w.Concurrency) })
	wait := time.NewTimer(patience)
	defer wait.Stop()
	select {
	case w.turns <- struct{}{}:
		return func() { <-w.turns }, nil
	case <-wait.C:
		return nil, river.JobSnooze(turnSnooze)
	case <-ctx.Done():
		return nil, river.JobSnooze(0)
	}
}

// turnSnooze is how long a job that found no turn waits before River hands
// it out again: not at all. It has waited half its timeout already, and
// it goes back behind the jobs already waiting. A snooze into the future
// would look to a drain like the freshness guard's hold (DrainResult.Held):
// a drain whose last jobs were waiting for a turn stopped with them unsent
// (TestDrainWaitsForJobsThatFoundNoTurn; the fault suite's kill -9 case
// lost 2 that way on a loaded machine).
const turnSnooze time.Duration = 0

// NextRetry schedules a temporary failure's next attempt.
func (w *SendWorker) NextRetry(job *river.Job[SendArgs]) time.Time {
	b := w.Backoff
	if b == nil {
		b = SendBackoff
	}
	return time.Now().Add(b(job.Attempt))
}

// DefaultSendTimeout leaves room for a slow SMTP server.
const DefaultSendTimeout = 2 * time.Minute

// Timeout is JobTimeout, or DefaultSendTimeout.
func (w *SendWorker) Timeout(*river.Job[SendArgs]) time.Duration {
	if w.JobTimeout > 0 {
		return w.JobTimeout
	}
	return DefaultSendTimeout
}

// reminderRow is one locked ledger row with what the re-check and the
// message need.
type reminderRow struct {
	id                                int64
	status, stepID, template, profile string
	level                             int
	invoiceID                         int64
	number, currency                  string
	issue, due                        time.Time
	amount, outstanding               money.Amount
	excluded, disputed, promised      bool
	inCase                            bool         // an open legal case holds the invoice
	settlements                       []Settlement // every settlement of the invoice, dated
	clientID                          int64
	clientCode                        string // for file names and headers; the parties come from parties()
	emails                            []string
	insolvent, bouncing               bool
	paused, clientExcluded            bool
}

// sendLockSQL reads and locks everything a message needs in one statement:
// the rows with their re-check, the settlements, the parties and the
// freshness of the entity's payment data.
//
//go:embed send_lock.sql
var sendLockSQL string

// locked is what sendLockSQL read for one job: its rows, and from the first
// of them the message's parties and the as-of of the entity's newest
// payment data (zero: never imported).
type locked struct {
	rows         []reminderRow
	entity       ledger.Entity
	client       ledger.Client
	paymentsAsOf time.Time
}

// Work sends one message, in named stages: connect (a relay connection is
// taken before anything is locked), lock and re-check the rows, compose,
// deliver, record. See the package documentation for the transaction; the
// outcomes are:
//   - the client's entity has stale payment data (Guard): nothing is
//     locked or sent, the job is snoozed and looks again after the wait;
//   - every row no longer qualifying is 'dropped' with its reason;
//   - delivered: the remaining rows are 'sent' with the Message-ID and the
//     day they went out (sent_on);
//   - the client's own address refused (5xx on RCPT TO): the client is
//     marked bouncing, the rows 'failed', an event recorded, and the job
//     cancelled (never retried);
//   - refused on our side (5xx on connect, AUTH, MAIL FROM, DATA or our
//     Bcc): nothing is recorded against the client, the job retries with
//     backoff, and after PauseAfter such refusals in a row the send queue
//     pauses (see relay.go);
//   - a message that cannot be produced (template, letter, penalties):
//     the rows 'failed' with the reason, the job cancelled;
//   - temporary failure: nothing is recorded and the error goes back to
//     River, which retries with NextRetry's backoff. A job that runs out of
//     attempts leaves its rows to Reconcile.
func (w *SendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	log := w.logger().With("job", job.ID, "client", job.Args.ClientID, "day", job.Args.Day, "channel", job.Args.Channel)
	day, err := clock.ParseDate(job.Args.Day)
	if err != nil {
		return river.JobCancel(fmt.Errorf("send: %w", err))
	}
	done, err := w.turn(ctx, w.Timeout(job)/2)
	if err != nil {
		return err
	}
	defer done()
	var conn mail.Conn
	var connErr error // a letter's copy: the relay could not be reached
	if conn, connErr = w.Mail.Acquire(ctx); connErr != nil && job.Args.Channel != "registered_letter" {
		return w.undelivered(ctx, job, connErr, log)
	}
	if conn != nil {
		defer conn.Release()
	}

	tx, letterTx, lk, err := w.begin(ctx, job.Args, w.checkDay(day))
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	checked := w.now()
	keep, drops := w.recheck(lk.rows, job.Args.Channel)
	if len(keep) > 0 && w.stale(lk) {
		return w.hold(ctx, tx, job, log)
	}
	if err := drops.record(ctx, tx, job.ID); err != nil {
		return err
	}
	if len(drops.ids) > 0 {
		log.Info("reminders dropped at send time", "count", len(drops.ids), "reasons", drops.counts)
	}
	if len(keep) == 0 {
		return w.commit(ctx, tx, func() { w.countDropped(drops.counts) })
	}

	top := w.topOf(keep)
	c, err := w.compose(lk, keep, top, day)
	if err != nil {
		var cannot *unproducible
		if errors.As(err, &cannot) {
			return w.fail(ctx, tx, job, keep, cannot.err, log, drops.counts)
		}
		return err
	}
	sent := sending{job: job, keep: keep, top: top, composed: c, day: day, drops: drops, log: log,
		messageID: w.messageID(job.Args.ClientID, job.Args.Day, top.stepID, job.Args.Currency)}
	if letterTx != nil {
		return w.sendLetter(ctx, letterTx, sent, conn, connErr)
	}
	err = conn.Send(ctx, w.outgoing(sent))
	// The relay is done with this message: the connection goes back to
	// the pool now, for the next message's re-check and transaction,
	// while this one's outcome is recorded and committed.
	conn.Release()
	if err != nil {
		switch mail.FaultOf(err) {
		case mail.RecipientRefused:
			return w.bounce(ctx, tx, job, keep, err, log, drops.counts)
		case mail.Unsendable:
			return w.fail(ctx, tx, job, keep, err, log, drops.counts)
		}
		return w.undelivered(ctx, job, err, log)
	}
	w.delivered(checked)
	return w.recordSent(ctx, tx, sent)
}

// stale says whether the freshness guard holds the message of lk: its
// entity's payment data, read by the lock statement, is too old.
func (w *SendWorker) stale(lk locked) bool {
	return w.Guard != nil && w.Guard.Stale(lk.entity.Code, lk.paymentsAsOf)
}

// hold snoozes a job whose entity's payment data is stale: nothing is
// recorded (the transaction is rolled back, the rows stay pending on a live
// job), no attempt is counted, and the guard (which raises the entity's
// alert) says how long to wait before looking again.
func (w *SendWorker) hold(ctx context.Context, tx sendTx, job *river.Job[SendArgs], log *slog.Logger) error {
	if err := tx.Rollback(ctx); err != nil {
		return fmt.Errorf("send: rollback: %w", err)
	}
	wait, err := w.Guard.Hold(ctx, job.Args.ClientID)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	if wait <= 0 {
		wait = time.Second // fresh data arrived since the lock: look again soon
	}
	log.Info("send held: the entity's payment data is stale", "recheck_in", wait)
	return river.JobSnooze(wait)
}

// sending is one message past its re-check: the rows it carries, its
// highest step, what was composed, and its Message-ID.
type sending struct {
	job       *river.Job[SendArgs]
	keep      []reminderRow
	top       top
	composed  composed
	day       time.Time
	messageID string
	drops     drops
	log       *slog.Logger
}

// outgoing is the email of s: the composed text and HTML from our sender to
// the client's addresses, with our Bcc and the headers that say what it is.
func (w *SendWorker) outgoing(s sending) mail.Message {
	r := s.composed.rendered
	out := mail.Message{
		MessageID: s.messageID, From: w.Settings.From, ReplyTo: w.Settings.ReplyTo,
		To: s.top.emails, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Headers: map[string]string{
			"X-Relance-Client": s.top.clientCode, "X-Relance-Day": s.job.Args.Day, "X-Relance-Step": s.top.stepID,
		},
	}
	if w.Settings.Bcc != "" {
		out.Bcc = []string{w.Settings.Bcc}
	}
	return out
}

// delivered notes a message the relay accepted after its rows were
// re-checked at checked; see relayAccepted.
func (w *SendWorker) delivered(checked time.Time) {
	if w.Counters != nil {
		w.Counters.RecheckToAccept(w.now().Sub(checked))
	}
	w.relayAccepted()
}

// relayAccepted notes that the relay took a message: refusals of ours in a
// row start again from zero, and a pause this process made is over.
func (w *SendWorker) relayAccepted() {
	if w.refusals.reset() && w.Counters != nil {
		w.Counters.SendQueuePaused(false)
	}
}

// recordSent marks the rows of s sent with its Message-ID and the day it
// went out, and commits.
func (w *SendWorker) recordSent(ctx context.Context, tx sendTx, s sending) error {
	ids := rowIDs(s.keep)
	if err := execCommit(ctx, tx, markSentSQL, ids, s.messageID, s.job.ID, w.now(), w.sentOn(s.day, s.job)); err != nil {
		return fmt.Errorf("send: mark sent and commit: %w", err)
	}
	s.log.Info("reminder sent", "step", s.top.stepID, "invoices", len(s.keep), "message_id", s.messageID)
	w.countDropped(s.drops.counts)
	if w.Counters != nil {
		w.Counters.Sent(s.job.Args.Channel, len(s.keep))
	}
	return nil
}

func rowIDs(rows []reminderRow) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	return ids
}

//go:embed mark_sent.sql
var markSentSQL string

// checkDay is the day the re-check reads the ledger as of: the job's day, or
// today when later. A replay of a past day still drops what is paid or
// disputed today.
func (w *SendWorker) checkDay(day time.Time) time.Time {
	if w.Clock != nil {
		if today := clock.Today(w.Clock, w.location()); today.After(day) {
			return today
		}
	}
	return day
}

// sentOn is the business day a message delivered now went out on, in the
// frame of the job's day: that day plus the whole days the job waited
// since it was enqueued. Under the daemon it is today (a job held by an
// outage for three days went out three days after its day); for a replay of
// a past day (`sweep --as-of D --drain`) it is D, so that min_gap counts in
// the replayed days.
func (w *SendWorker) sentOn(day time.Time, job *river.Job[SendArgs]) time.Time {
	waited := clock.DaysBetween(clock.DateOf(job.CreatedAt, w.location()), clock.DateOf(w.now(), w.location()))
	return day.AddDate(0, 0, max(waited, 0))
}

// begin begins the send's transaction and reads and locks (FOR UPDATE) the
// job's reminder rows with what the re-check and the message need, as of
// check, in one statement (send_lock.sql). An email's transaction is
// pipelined (BEGIN and the lock in one round trip); a registered letter's
// is a pgx.Tx, returned as letterTx too, for the ledger's writes of the
// letter.
func (w *SendWorker) begin(ctx context.Context, args SendArgs, check time.Time) (tx sendTx, letterTx pgx.Tx, lk locked, err error) {
	if args.Channel != "registered_letter" {
		p, lk, err := w.beginLocked(ctx, args.ReminderIDs, check)
		if err != nil {
			return nil, nil, lk, err
		}
		return p, nil, lk, nil
	}
	if letterTx, err = w.Pool.Begin(ctx); err != nil {
		return nil, nil, lk, fmt.Errorf("send: begin: %w", err)
	}
	rows, err := letterTx.Query(ctx, sendLockSQL, args.ReminderIDs, check)
	if err == nil {
		lk, err = scanLocked(rows)
	} else {
		err = fmt.Errorf("send: lock reminders: %w", err)
	}
	if err != nil {
		_ = letterTx.Rollback(ctx)
		return nil, nil, lk, err
	}
	return letterTx, letterTx, lk, nil
}

// scanLocked reads the rows of the lock statement, and closes them.
func scanLocked(rows pgx.Rows) (locked, error) {
	var lk locked
	defer rows.Close()
	for rows.Next() {
		var r reminderRow
		var days []time.Time
		var amounts []int64
		var e ledger.Entity
		var c ledger.Client
		var asOf *time.Time
		if err := rows.Scan(&r.id, &r.status, &r.stepID, &r.template, &r.profile, &r.level,
			&r.invoiceID, &r.number, &r.currency, &r.issue, &r.due, &r.amount, &r.outstanding, &r.excluded,
			&r.disputed, &r.promised, &r.inCase,
			&r.clientID, &r.clientCode, &r.emails,
			&r.insolvent, &r.bouncing, &r.paused, &r.clientExcluded,
			&days, &amounts,
			&c.Name, &c.Country, &c.Locale,
			&c.Address.Line1, &c.Address.Line2, &c.Address.Postcode, &c.Address.City, &c.SIREN, &c.VAT,
			&e.Code, &e.Name, &e.Country, &e.Locale,
			&e.Address.Line1, &e.Address.Line2, &e.Address.Postcode, &e.Address.City,
			&e.SIREN, &e.VAT, &e.IBAN, &e.BIC, &e.Email, &e.Phone, &e.LetterChannel,
			&asOf); err != nil {
			return lk, fmt.Errorf("send: read reminders: %w", err)
		}
		for i := range min(len(days), len(amounts)) {
			r.settlements = append(r.settlements, Settlement{Day: days[i], Amount: money.Amount(amounts[i])})
		}
		if len(lk.rows) == 0 {
			c.ID, c.Code, c.Entity = r.clientID, r.clientCode, e.Code
			lk.entity, lk.client = e, c
			if asOf != nil {
				lk.paymentsAsOf = *asOf
			}
		}
		lk.rows = append(lk.rows, r)
	}
	if err := rows.Err(); err != nil {
		return lk, fmt.Errorf("send: read reminders: %w", err)
	}
	// The message lists its invoices by due date, then number.
	slices.SortFunc(lk.rows, func(a, b reminderRow) int {
		return cmp.Or(a.due.Compare(b.due), strings.Compare(a.number, b.number), cmp.Compare(a.id, b.id))
	})
	return lk, nil
}

// drops are the rows the re-check takes out, with their reasons.
type drops struct {
	ids     []int64
	reasons []string
	counts  map[string]int
}

// recheck keeps the pending rows that still qualify; the others are drops.
// A row no longer pending (sent, failed or dropped by an earlier attempt)
// is never touched again.
func (w *SendWorker) recheck(all []reminderRow, channel string) ([]reminderRow, drops) {
	var keep []reminderRow
	d := drops{counts: map[string]int{}}
	for _, r := range all {
		if r.status != "pending" {
			continue
		}
		if reason := w.dropReason(r, channel); reason != "" {
			d.ids = append(d.ids, r.id)
			d.reasons = append(d.reasons, reason)
			d.counts[reason]++
			continue
		}
		keep = append(keep, r)
	}
	return keep, d
}

// record marks the drops 'dropped' with their reasons.
func (d drops) record(ctx context.Context, tx sendTx, jobID int64) error {
	if len(d.ids) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE reminder r SET status = 'dropped', drop_reason = x.reason, job_id = $3
		FROM unnest($1::bigint[], $2::text[]) AS x(id, reason) WHERE r.id = x.id`, d.ids, d.reasons, jobID); err != nil {
		return fmt.Errorf("send: drop reminders: %w", err)
	}
	return nil
}

// unproducible is a message that cannot be produced, and will not be on
// retry: a template that does not render, penalties the rate table cannot
// state.
type unproducible struct{ err error }

func (e *unproducible) Error() string { return e.err.Error() }

// composed is a message built and rendered, with its parties.
type composed struct {
	msg      templates.Message
	rendered templates.Rendered
	who      messageParties
}

// compose builds the message of the highest step top over the kept rows,
// from the creditor and the debtor as the lock statement read them, and
// renders its template. Errors no retry can fix are *unproducible.
func (w *SendWorker) compose(lk locked, keep []reminderRow, top top, day time.Time) (composed, error) {
	var c composed
	c.who = partiesOf(lk.entity, lk.client, w.Settings.ReplyTo)
	var err error
	if c.msg, err = w.message(keep, top, day, c.who); err != nil {
		if errors.Is(err, penalty.ErrBelowFloor) || errors.Is(err, penalty.ErrNoRate) {
			// The rate table or the contractual rate: configuration, which
			// a retry cannot change (serve checks the floor at start).
			return c, &unproducible{err}
		}
		return c, fmt.Errorf("send: %w", err)
	}
	if c.rendered, err = w.Templates.Render(top.template, c.msg); err != nil {
		// A template that cannot render will not render on retry either.
		return c, &unproducible{fmt.Errorf("render %s: %w", top.template, err)}
	}
	return c, nil
}

// commit commits the rows' outcome; after runs once it succeeded. River's
// batch completer then completes the job (see the package documentation:
// the rows' status, not the job's, makes a message go once).
func (w *SendWorker) commit(ctx context.Context, tx sendTx, after func()) error {
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("send: commit: %w", err)
	}
	after()
	return nil
}

// bounce records the client's own address refused for good (5xx on RCPT TO
// of a To address, or not an address at all): the address is marked
// bouncing (the sweep stops deciding email steps for it and the dashboard
// shows it), the rows fail, and the job is cancelled so it never loops.
func (w *SendWorker) bounce(ctx context.Context, tx sendTx, job *river.Job[SendArgs], keep []reminderRow, cause error, log *slog.Logger, dropped map[string]int) error {
	ids := rowIDs(keep)
	if _, err := tx.Exec(ctx, `UPDATE reminder SET status = 'failed', drop_reason = $2, job_id = $3 WHERE id = ANY ($1)`,
		ids, "address refused: "+cause.Error(), job.ID); err != nil {
		return fmt.Errorf("send: mark failed: %w", err)
	}
	if err := w.markBouncing(ctx, tx, job, ids, cause); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("send: commit bounce: %w", err)
	}
	w.countDropped(dropped)
	if w.Counters != nil {
		w.Counters.Failed(job.Args.Channel, len(keep))
	}
	log.Error("the client's address is refused for good: address marked bouncing, job cancelled", "err", cause)
	return river.JobCancel(fmt.Errorf("send: address refused: %w", cause))
}

// markBouncing marks the client's address bouncing for cause and records
// an 'email_bounced' event naming the rows of the message refused.
func (w *SendWorker) markBouncing(ctx context.Context, tx sendTx, job *river.Job[SendArgs], ids []int64, cause error) error {
	reason := cause.Error()
	if _, err := tx.Exec(ctx, `UPDATE client SET email_bouncing_since = $3, email_bounce_reason = $2, updated_at = now()
		WHERE id = $1`, job.Args.ClientID, reason, w.now()); err != nil {
		return fmt.Errorf("send: mark bounce: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO event (kind, client_id, detail) VALUES ('email_bounced', $1,
		jsonb_build_object('day', $2::text, 'job_id', $3::bigint, 'reminder_ids', $4::bigint[], 'error', $5::text))`,
		job.Args.ClientID, job.Args.Day, job.ID, ids, reason); err != nil {
		return fmt.Errorf("send: record bounce: %w", err)
	}
	return nil
}

// fail records a failure no retry can fix that is not the client's doing
// (a template or letter that cannot be produced): the rows are 'failed' with
// the reason, an event says so, and the job is cancelled.
func (w *SendWorker) fail(ctx context.Context, tx sendTx, job *river.Job[SendArgs], keep []reminderRow, cause error, log *slog.Logger, dropped map[string]int) error {
	ids := rowIDs(keep)
	if _, err := tx.Exec(ctx, `UPDATE reminder SET status = 'failed', drop_reason = $2, job_id = $3 WHERE id = ANY ($1)`,
		ids, cause.Error(), job.ID); err != nil {
		return fmt.Errorf("send: mark failed: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO event (kind, client_id, detail) VALUES ('reminder_failed', $1,
		jsonb_build_object('day', $2::text, 'job_id', $3::bigint, 'reminder_ids', $4::bigint[], 'error', $5::text))`,
		job.Args.ClientID, job.Args.Day, job.ID, ids, cause.Error()); err != nil {
		return fmt.Errorf("send: record failure: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("send: commit failure: %w", err)
	}
	w.countDropped(dropped)
	if w.Counters != nil {
		w.Counters.Failed(job.Args.Channel, len(keep))
	}
	log.Error("reminder cannot be produced: rows failed, job cancelled", "err", cause)
	return river.JobCancel(fmt.Errorf("send: %w", cause))
}

// dropReason says why a pending row must not go out today, or "".
func (w *SendWorker) dropReason(r reminderRow, channel string) string {
	minAmount := money.Amount(1)
	if p := w.Plans.Profile(r.profile); p != nil && p.MinAmount > minAmount {
		minAmount = p.MinAmount
	}
	switch {
	case r.outstanding <= 0:
		return "paid"
	case r.outstanding < minAmount:
		return "below_min_amount"
	case r.excluded:
		return "excluded"
	case r.disputed:
		return "disputed"
	case r.promised:
		return "promise_to_pay"
	case r.inCase:
		return "legal_case"
	case r.insolvent:
		return "insolvency"
	case r.clientExcluded:
		return "client_excluded"
	case r.paused:
		return "client_paused"
	case channel == "email" && r.bouncing:
		return "email_bouncing"
	case channel == "email" && len(r.emails) == 0:
		return "no_email_address"
	}
	return ""
}

// top is the highest step of a message: its template is rendered, and its
// plan step says whether the message states penalties.
type top struct {
	reminderRow
	penalties bool
	skipCopy  bool // a registered letter's step says email_copy: false
}

// topOf finds the highest step among rows, whose template the message uses
// and whose plan step says whether penalties are stated.
func (w *SendWorker) topOf(rows []reminderRow) top {
	best := rows[0]
	for _, r := range rows[1:] {
		if r.level > best.level {
			best = r
		}
	}
	t := top{reminderRow: best}
	if p := w.Plans.Profile(best.profile); p != nil {
		for _, st := range p.Steps {
			if st.ID == best.stepID {
				t.penalties, t.skipCopy = st.Penalties, st.SkipEmailCopy
			}
		}
	}
	return t
}

// message builds the template data of t, the highest step: the parties,
// every invoice listed, penalties when that step states them under the
// debtor's rule set (from each row's settlements, its invoice's payment history),
// and the tone.
func (w *SendWorker) message(rows []reminderRow, t top, day time.Time, p messageParties) (templates.Message, error) {
	best := t.reminderRow
	set := w.Messages.orDefaults()
	msg := templates.Message{
		Creditor:  p.creditor,
		Debtor:    p.debtor,
		Entity:    p.entity,
		Client:    p.client,
		Day:       day,
		Step:      templates.Step{ID: best.stepID, Level: best.level, Template: best.template},
		Penalties: t.penalties && w.Penalties != nil,
		Deadline:  day.AddDate(0, 0, set.DeadlineDays),
	}
	if msg.Penalties {
		msg.RuleSet = w.Penalties.RuleSet(p.country)
	}
	seen := map[int64]bool{}
	oldest := 0 // days late of the oldest overdue invoice
	for _, r := range rows {
		if seen[r.invoiceID] {
			continue
		}
		seen[r.invoiceID] = true
		inv := templates.Invoice{
			Number: r.number, IssueDate: r.issue, DueDate: r.due, DaysLate: clock.DaysBetween(r.due, day),
			Currency: r.currency, Amount: r.amount, Outstanding: r.outstanding,
		}
		if msg.Penalties && inv.DaysLate > 0 {
			debt := Debt{Amount: r.amount, Currency: r.currency, DueDate: r.due, Payments: r.settlements, Country: p.country}
			res, err := w.Penalties.Penalty(debt, day)
			if err != nil {
				return msg, fmt.Errorf("penalties of invoice %s: %w", r.number, err)
			}
			inv.Interest, inv.Indemnity, inv.Periods = res.Interest, res.Indemnity, res.Periods
			if n := len(res.Periods); n > 0 {
				msg.PenaltyRate = res.Periods[n-1].RateBP // the rate in force on day
			}
		}
		if inv.DaysLate > oldest {
			oldest = inv.DaysLate
		}
		link, err := w.link(inv, msg.Client)
		if err != nil {
			return msg, err
		}
		inv.PaymentLink = link
		msg.Invoices = append(msg.Invoices, inv)
	}
	msg.Totals = templates.TotalsOf(msg.Invoices)
	msg.Oversight = oldest <= set.OversightDays
	return msg, nil
}

// link renders the configured payment link for one invoice.
func (w *SendWorker) link(inv templates.Invoice, c templates.Client) (string, error) {
	return w.Settings.PaymentLink.For(c, inv)
}

// messageID is the same for every attempt at one (client, day, step): a
// retry after a crash between SMTP acceptance and the commit carries the
// Message-ID of the copy already delivered, so the duplicate is recognisable
// (and the file transport overwrites its .eml). The currency is added only
// for a second currency's message of the same day and step.
func (w *SendWorker) messageID(client int64, day, step, currency string) string {
	domain := "relance.invalid"
	if _, addr, ok := strings.Cut(w.Settings.From, "@"); ok {
		domain = strings.TrimRight(strings.TrimSpace(addr), ">")
	}
	id := fmt.Sprintf("relance.%d.%s.%s", client, day, step)
	if currency != "" && currency != "EUR" {
		id += "." + strings.ToLower(currency)
	}
	return id + "@" + domain
}

func (w *SendWorker) countDropped(dropped map[string]int) {
	if w.Counters == nil {
		return
	}
	for reason, n := range dropped {
		w.Counters.Dropped(reason, n)
	}
}

func (w *SendWorker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.Default()
	}
	return w.Logger
}

func (w *SendWorker) location() *time.Location {
	if w.Location == nil {
		return time.UTC
	}
	return w.Location
}

func (w *SendWorker) now() time.Time {
	if w.Clock == nil {
		return time.Now()
	}
	return w.Clock.Now()
}
