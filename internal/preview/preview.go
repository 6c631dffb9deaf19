// Package preview is the dry run behind `relance preview`: for each day of a
// range and each client of an entity, the message the daemon would send
// (channel, template of the highest step due, invoices, amounts, penalties),
// the actions it would take, the provisions it would propose, and the
// invoices held back with the reason.
//
// It decides nothing itself. Every simulated day runs the daily sweep (the
// same worker.Sweeper and worker/sweep.sql as `relance sweep` and the
// daemon) in a sandbox (worker.Sandbox): one repeatable-read transaction,
// rolled back at the end, in which every table the sweep writes is a
// temporary twin. The sweep reads the real ledger and writes only the twins,
// so it takes no sweep lock and the daemon's sweep never waits for a
// preview (nor a preview for it). A day's messages count as sent for the
// days after it, and nothing remains, no reminder row, no River job. The
// held reasons come from the same statement (worker.SweepOptions.Explain).
//
// The sandbox starts from the reminder history as it stood on the morning
// of the first day, each reminder decided before it counted as sent on the
// day it went out, or on the first day if it had not gone out by then: a
// pending reminder is the send job that goes out at the window's opening,
// not a wait that holds its invoice's ladder through the whole range, and
// what the daemon already decided on the first day is decided again, as the
// first day's forecast. The one place where this differs from a sweep of the
// real tables is a pending reminder whose send job died: the daemon's next
// sweep returns it and decides it again (worker.Reconcile), the preview
// counts it as sent. TestSandboxedPreviewDecidesAsThePreviewOnTheRealTables
// holds the rest equal.
//
// Changed says whether a report is still the forecast: whether a
// transaction that wrote anything the preview reads committed after the
// snapshot it read (migration 00280, preview_change).
package preview

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/worker"
)

//go:embed sql/documents.sql
var documentsSQL string

//go:embed sql/settlements.sql
var settlementsSQL string

//go:embed sql/sent.sql
var sentSQL string

//go:embed sql/analyze.sql
var analyzeSQL string

//go:embed sql/snapshot.sql
var snapshotSQL string

// DB begins the transaction a preview runs in; *pgxpool.Pool is one.
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Sweeper runs the daily sweep of one day in a transaction; *worker.Sweeper
// is the one.
type Sweeper interface {
	Run(ctx context.Context, tx pgx.Tx, jobs worker.JobInserter, day time.Time, opts worker.SweepOptions) (worker.SweepResult, error)
}

// ErrUnknownEntity is returned for an entity code the database does not have.
var ErrUnknownEntity = errors.New("unknown entity")

// Options say what to preview.
type Options struct {
	Entity    string              // entity code
	From      time.Time           // first day (00:00 UTC)
	Days      int                 // number of days, at least 1
	Sweeper   Sweeper             // the engine's sweep
	Plans     *plans.Set          // the sweeper's plans: templates and which steps state penalties
	Penalties *penalty.Calculator // nil: no penalty amounts
}

// Report is the preview of every day.
type Report struct {
	Entity string `json:"entity"`
	Days   []Day  `json:"days"`
	// Snapshot is the snapshot the preview read the database on
	// (pg_current_snapshot), and ReadAt the database's time then: Changed
	// tells from them whether the report is still the forecast.
	Snapshot string    `json:"-"`
	ReadAt   time.Time `json:"-"`
	From     time.Time `json:"-"` // the first day
}

// Day is what would happen on one day.
type Day struct {
	Date     string    `json:"date"`
	Messages []Message `json:"messages"`
	Actions  []Action  `json:"actions"`
	// Provisions are the proposals the sweep's provision review would make
	// (worker.SweepResult.Proposals): a provision step that fired, priced
	// by the matrix, or an insolvency opened, whatever the age.
	Provisions []Provision `json:"provisions"`
	Held       []Held      `json:"held"`
}

// Message is the one message a client would get on one channel, in one
// currency, that day (as the sweep enqueues them: worker.Messages).
type Message struct {
	ClientCode string        `json:"client_code"`
	ClientName string        `json:"client_name"`
	Locale     string        `json:"locale"`
	Profile    string        `json:"profile"`
	Channel    string        `json:"channel"`
	Template   string        `json:"template"` // the template of the highest step due
	StepID     string        `json:"step_id"`
	Level      int           `json:"level"` // 0 for a pre-due notice
	Currency   string        `json:"currency"`
	Total      money.Amount  `json:"total"` // outstanding of the listed invoices, cents
	Invoices   []InvoiceLine `json:"invoices"`
}

// InvoiceLine is one invoice listed in a message.
type InvoiceLine struct {
	Number      string       `json:"number"`
	DueDate     string       `json:"due_date"`
	DaysLate    int          `json:"days_late"`
	Outstanding money.Amount `json:"outstanding"`
	StepID      string       `json:"step_id"`
	Level       int          `json:"level"`
	Interest    money.Amount `json:"interest,omitempty"`  // late interest, on steps with penalties
	Indemnity   money.Amount `json:"indemnity,omitempty"` // fixed recovery indemnity
}

// Action is an action step (provision, phone_call) that would fire.
type Action struct {
	ClientCode string `json:"client_code"`
	Number     string `json:"number"`
	StepID     string `json:"step_id"`
	Action     string `json:"action"`
	Profile    string `json:"-"` // the plan profile the step belongs to, to name it
}

// Provision is a provision proposal the review would make that day.
type Provision struct {
	ClientCode string       `json:"client_code"`
	Number     string       `json:"number"`
	Cause      string       `json:"cause"`   // age or insolvency (provision.CauseAge, CauseInsolvency)
	RateBP     int          `json:"rate_bp"` // basis points: 10000 = 100%
	Amount     money.Amount `json:"amount"`  // excl. VAT × rate, cents
	Currency   string       `json:"currency"`
}

// Held is an invoice a message step would have gone out for that day, held
// back, and why: insolvency, paused (a pause of the client), net_balance
// (the client's credits cover its debt), dispute, promise, min_amount, case
// (an open legal case holds its messages, not its actions),
// waiting (the previous level is still pending on a live send job), gap
// (min_gap since the previous reminder), no_email or bouncing (no working
// address for an email step), no_postal_address (a registered letter to a
// debtor without a postal address: decided by the sweep, failed by the send
// worker). An invoice or client excluded from dunning is out of it, not held.
type Held struct {
	ClientCode  string       `json:"client_code"`
	Number      string       `json:"number"`
	Outstanding money.Amount `json:"outstanding"`
	Currency    string       `json:"currency"`
	Reason      plans.Reason `json:"reason"`
}

// The held reasons the sweep gives beyond plans.Resolve's, and the one the
// send worker would give a letter.
const (
	NoEmail  plans.Reason = "no_email" // the client has no email address
	Bouncing plans.Reason = "bouncing" // the client's address bounces
	// NoPostalAddress: the client has no postal address (no street line or
	// no city), so the send worker would fail its registered letter.
	NoPostalAddress plans.Reason = "no_postal_address"
)

// Run previews opts.Days days from opts.From in a sandbox (worker.Sandbox)
// in a transaction of db that it rolls back: nothing it simulates remains,
// and it never waits for the daemon's sweep nor makes it wait.
func Run(ctx context.Context, db DB, opts Options) (*Report, error) {
	if opts.Days < 1 {
		opts.Days = 1
	}
	if opts.Sweeper == nil || opts.Plans == nil {
		return nil, errors.New("preview: no sweep or no plans")
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // the point: nothing is kept
	// One snapshot for every day: the report is the forecast of one state
	// of the ledger, the one Changed compares with.
	if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	rep := &Report{Entity: opts.Entity, From: opts.From}
	var exists bool
	if err := tx.QueryRow(ctx, snapshotSQL, opts.Entity).Scan(&rep.Snapshot, &rep.ReadAt, &exists); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	if !exists {
		return nil, fmt.Errorf("preview: entity %q: %w", opts.Entity, ErrUnknownEntity)
	}
	if err := worker.Sandbox(ctx, tx, opts.From); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	for i := range opts.Days {
		d := opts.From.AddDate(0, 0, i)
		if i > 0 {
			// The days before wrote reminders, proposals and journal
			// entries the planner knows nothing of (sql/analyze.sql).
			if _, err := tx.Exec(ctx, analyzeSQL); err != nil {
				return nil, fmt.Errorf("preview: statistics before %s: %w", d.Format(time.DateOnly), err)
			}
		}
		res, err := SimulateDay(ctx, tx, opts.Sweeper, d, worker.SweepOptions{Explain: true, Sandboxed: true})
		if err != nil {
			return nil, err
		}
		day, err := describe(ctx, tx, res, opts)
		if err != nil {
			return nil, err
		}
		rep.Days = append(rep.Days, day)
	}
	return rep, nil
}

// SimulateDay runs sweeper's sweep of day in tx as a dry run: no send job
// is enqueued (the send window is ignored, opts.Now), and the day's new
// messages are marked sent that day, as the send worker would have, so that
// the days after see them. The preview and `relance plan diff` simulate
// their days with it.
func SimulateDay(ctx context.Context, tx pgx.Tx, sweeper Sweeper, day time.Time, opts worker.SweepOptions) (worker.SweepResult, error) {
	opts.Now = true
	res, err := sweeper.Run(ctx, tx, noJobs{}, day, opts)
	if err != nil {
		return res, fmt.Errorf("preview: %w", err)
	}
	return res, markSent(ctx, tx, res)
}

// noJobs is the preview's job inserter: the messages of a simulated day are
// described, never enqueued.
type noJobs struct{}

func (noJobs) InsertManyFastTx(context.Context, pgx.Tx, []river.InsertManyParams) (int, error) {
	return 0, nil
}

// markSent records the day's new message decisions as sent that day, as the
// send worker would have, so that the next simulated days see them.
func markSent(ctx context.Context, tx pgx.Tx, res worker.SweepResult) error {
	var ids []int64
	for _, d := range res.Decisions {
		if d.Fresh && d.Kind != plans.Action {
			ids = append(ids, d.ReminderID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	// Noon UTC is the same date in every time zone of the plans' countries.
	if _, err := tx.Exec(ctx, sentSQL, ids, res.Day.Add(12*time.Hour), res.Day); err != nil {
		return fmt.Errorf("preview: %s: %w", res.Day.Format(time.DateOnly), err)
	}
	return nil
}

// document is one invoice decided or held on the day, as documents.sql
// reads it.
type document struct {
	number                         string
	due                            time.Time
	amount, open                   money.Amount
	currency                       string
	clientCode, clientName, locale string
	insolvency                     *time.Time
	address                        ledger.Address // the client's postal address
}

// describe turns one day's sweep result into the report's day: the entity's
// messages, actions and held invoices.
func describe(ctx context.Context, tx pgx.Tx, res worker.SweepResult, opts Options) (Day, error) {
	day := Day{Date: res.Day.Format(time.DateOnly), Messages: []Message{}, Actions: []Action{}, Provisions: []Provision{},
		Held: []Held{}}
	docs, err := loadDocuments(ctx, tx, res, opts.Entity)
	if err != nil {
		return day, err
	}
	byReminder := map[int64]worker.Decision{}
	for _, d := range res.Decisions {
		byReminder[d.ReminderID] = d
		if doc, ok := docs[d.InvoiceID]; ok && d.Kind == plans.Action {
			day.Actions = append(day.Actions, Action{ClientCode: doc.clientCode, Number: doc.number, StepID: d.StepID,
				Action: d.Action, Profile: d.Profile})
		}
	}
	for _, p := range res.Proposals {
		if doc, ok := docs[p.InvoiceID]; ok {
			day.Provisions = append(day.Provisions, Provision{ClientCode: doc.clientCode, Number: doc.number, Cause: p.Cause,
				RateBP: p.RateBP, Amount: p.Amount, Currency: p.Currency})
		}
	}
	settlements, err := loadSettlements(ctx, tx, res, opts)
	if err != nil {
		return day, err
	}
	decided, unpostable := letterless(res.Decisions, docs)
	for _, d := range unpostable {
		doc := docs[d.InvoiceID]
		day.Held = append(day.Held, Held{ClientCode: doc.clientCode, Number: doc.number, Outstanding: doc.open,
			Currency: doc.currency, Reason: NoPostalAddress})
	}
	for _, group := range worker.Messages(res.Day, decided) {
		m, ok, err := message(group, byReminder, docs, settlements, res.Day, opts)
		if err != nil {
			return day, err
		}
		if ok {
			day.Messages = append(day.Messages, m)
		}
	}
	for _, h := range res.Held {
		if doc, ok := docs[h.InvoiceID]; ok {
			day.Held = append(day.Held, Held{ClientCode: doc.clientCode, Number: doc.number, Outstanding: doc.open,
				Currency: doc.currency, Reason: plans.Reason(h.Reason)})
		}
	}
	sort.SliceStable(day.Messages, func(i, j int) bool {
		a, b := day.Messages[i], day.Messages[j]
		if a.ClientCode != b.ClientCode {
			return a.ClientCode < b.ClientCode
		}
		if a.Channel != b.Channel {
			return a.Channel < b.Channel
		}
		return a.Currency < b.Currency
	})
	sort.SliceStable(day.Actions, func(i, j int) bool {
		return day.Actions[i].ClientCode+"\x00"+day.Actions[i].Number < day.Actions[j].ClientCode+"\x00"+day.Actions[j].Number
	})
	sort.SliceStable(day.Provisions, func(i, j int) bool {
		return day.Provisions[i].ClientCode+"\x00"+day.Provisions[i].Number < day.Provisions[j].ClientCode+"\x00"+day.Provisions[j].Number
	})
	sort.SliceStable(day.Held, func(i, j int) bool {
		return day.Held[i].ClientCode+"\x00"+day.Held[i].Number < day.Held[j].ClientCode+"\x00"+day.Held[j].Number
	})
	return day, nil
}

// letterless splits the day's decisions: those that make a message, and
// the registered letters to a debtor without a postal address. The sweep
// records those (they are decided), but the send worker fails the letter
// and sends nothing (worker/letter.go, by the same ledger.Address.Unpostable),
// so the preview lists them as held, not as a message.
func letterless(decisions []worker.Decision, docs map[int64]document) (sent, unpostable []worker.Decision) {
	for _, d := range decisions {
		if doc, ok := docs[d.InvoiceID]; ok && d.Channel == "registered_letter" && len(doc.address.Unpostable()) > 0 {
			unpostable = append(unpostable, d)
			continue
		}
		sent = append(sent, d)
	}
	return sent, unpostable
}

// message describes one message of the day; ok is false for a message to a
// client of another entity.
func message(group worker.SendArgs, byReminder map[int64]worker.Decision, docs map[int64]document,
	settlements map[int64][]penalty.Payment, day time.Time, opts Options) (Message, bool, error) {
	m := Message{Channel: group.Channel, Currency: group.Currency, Level: -1}
	var top *plans.Step
	for _, id := range group.ReminderIDs {
		d := byReminder[id]
		doc, ok := docs[d.InvoiceID]
		if !ok {
			return m, false, nil
		}
		st := step(opts.Plans, d.Profile, d.StepID)
		if m.Invoices == nil {
			m.ClientCode, m.ClientName, m.Locale, m.Profile = doc.clientCode, doc.clientName, doc.locale, d.Profile
		}
		line := InvoiceLine{Number: doc.number, DueDate: doc.due.Format(time.DateOnly), DaysLate: clock.DaysBetween(doc.due, day),
			Outstanding: doc.open, StepID: d.StepID, Level: d.Level}
		if st != nil && st.Penalties && opts.Penalties != nil {
			debt := penalty.Debt{Amount: doc.amount, DueDate: doc.due, Payments: settlements[d.InvoiceID]}
			if doc.insolvency != nil {
				debt.FrozenFrom = *doc.insolvency
			}
			res, err := opts.Penalties.Compute(debt, day)
			if err != nil {
				return m, false, fmt.Errorf("preview: invoice %s: %w", doc.number, err)
			}
			line.Interest, line.Indemnity = res.Interest, res.Indemnity
		}
		if d.Level > m.Level {
			m.Level, m.StepID, top = d.Level, d.StepID, st
		}
		m.Invoices = append(m.Invoices, line)
		m.Total += doc.open
	}
	if top != nil {
		m.Template = top.Template
	}
	sort.SliceStable(m.Invoices, func(i, j int) bool {
		if m.Invoices[i].DueDate != m.Invoices[j].DueDate {
			return m.Invoices[i].DueDate < m.Invoices[j].DueDate
		}
		return m.Invoices[i].Number < m.Invoices[j].Number
	})
	return m, len(m.Invoices) > 0, nil
}

// step finds a profile's step in the plans; nil when the plans changed
// since the row was recorded.
func step(set *plans.Set, profile, id string) *plans.Step {
	p := set.Profile(profile)
	if p == nil {
		return nil
	}
	for i := range p.Steps {
		if p.Steps[i].ID == id {
			return &p.Steps[i]
		}
	}
	return nil
}

// loadDocuments reads the entity's invoices decided, provisioned or held on
// the day, in one query.
func loadDocuments(ctx context.Context, tx pgx.Tx, res worker.SweepResult, entity string) (map[int64]document, error) {
	ids := make([]int64, 0, len(res.Decisions)+len(res.Proposals)+len(res.Held))
	for _, d := range res.Decisions {
		ids = append(ids, d.InvoiceID)
	}
	for _, p := range res.Proposals {
		ids = append(ids, p.InvoiceID)
	}
	for _, h := range res.Held {
		ids = append(ids, h.InvoiceID)
	}
	out := map[int64]document{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, documentsSQL, ids, res.Day, entity)
	if err != nil {
		return nil, fmt.Errorf("preview: %s: %w", res.Day.Format(time.DateOnly), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var doc document
		if err := rows.Scan(&id, &doc.number, &doc.due, &doc.amount, &doc.open, &doc.currency,
			&doc.clientCode, &doc.clientName, &doc.locale, &doc.insolvency,
			&doc.address.Line1, &doc.address.Line2, &doc.address.Postcode, &doc.address.City); err != nil {
			return nil, fmt.Errorf("preview: %w", err)
		}
		out[id] = doc
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	return out, nil
}

// loadSettlements reads, for the invoices whose step states penalties, the
// settlements that count on the day.
func loadSettlements(ctx context.Context, tx pgx.Tx, res worker.SweepResult, opts Options) (map[int64][]penalty.Payment, error) {
	out := map[int64][]penalty.Payment{}
	if opts.Penalties == nil {
		return out, nil
	}
	var ids []int64
	for _, d := range res.Decisions {
		if st := step(opts.Plans, d.Profile, d.StepID); st != nil && st.Penalties {
			ids = append(ids, d.InvoiceID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, settlementsSQL, ids, res.Day)
	if err != nil {
		return nil, fmt.Errorf("preview: settlements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p penalty.Payment
		if err := rows.Scan(&id, &p.Day, &p.Amount); err != nil {
			return nil, fmt.Errorf("preview: settlements: %w", err)
		}
		out[id] = append(out[id], p)
	}
	return out, rows.Err()
}
