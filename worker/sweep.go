package worker

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/provision"
	"github.com/relance/relance/plans"
)

//go:embed sweep.sql
var sweepSQL string

//go:embed sweep_countries.sql
var sweepCountriesSQL string

// The wake days (migration 00161): the plan they are computed with, and
// whether a day may read through them (sweep.sql computes them again).
var (
	//go:embed sweep_plan.sql
	sweepPlanSQL string
	//go:embed sweep_mode.sql
	sweepModeSQL string
)

// The memory of the sweep's hashes (sweep_memory.sql): at least what the
// benchmarks run with, whatever the server's default.
//
//go:embed sweep_memory.sql
var sweepMemorySQL string

// The send jobs' ids, read back after River's COPY.
var (
	//go:embed sweep_jobs_before.sql
	sweepJobsBeforeSQL string
	//go:embed sweep_job_ids.sql
	sweepJobIDsSQL string
)

// Calendar is the business-day calendar of one country (internal/calendar).
type Calendar interface {
	IsBusinessDay(day time.Time) bool
	NextBusinessDay(day time.Time) time.Time // on or after day
	PrevBusinessDay(day time.Time) time.Time // on or before day
}

// CalendarFor returns the calendar of a country code (FR, DE…).
type CalendarFor func(country string) (Calendar, error)

// JobInserter inserts River jobs inside a transaction; *river.Client[pgx.Tx]
// is one. The sweep uses the COPY path, which returns only a count.
type JobInserter interface {
	InsertManyFastTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) (int, error)
}

// Sweeper decides, for one day, every (invoice, step) pair that is due, and
// enqueues the messages. It holds no state between runs: everything it needs
// to remember is in the reminder ledger.
type Sweeper struct {
	Plans     *plans.Set
	Calendars CalendarFor
	// Provision prices the provisions (provision.rates, provision.profiles…);
	// the zero Matrix is the default one.
	Provision provision.Matrix
	// Window is the local send window; jobs enqueued outside it are scheduled
	// for its next opening. The zero Window sends at once.
	Window SendWindow
	Clock  clock.Clock
}

// SweepOptions changes how one run enqueues its messages.
type SweepOptions struct {
	// Now ignores the send window: a replay or a manual `sweep --drain` sends
	// at once, whoever ran it chose the moment.
	Now bool
	// Explain also reports, in SweepResult.Held, the invoices a step would
	// have fired for on the day but for what holds them back (the preview
	// shows them). A real sweep leaves it off and never computes them.
	Explain bool
	// Sandboxed runs the sweep in a transaction prepared by Sandbox: every
	// table it writes is a temporary twin, so it takes no sweep lock
	// (nothing it writes can reach another sweep, and the daemon's sweep
	// does not wait for a simulation). It refuses a transaction that is not
	// a sandbox.
	Sandboxed bool
}

// Decision is one (invoice, step) pair due on the swept day.
type Decision struct {
	ReminderID int64
	InvoiceID  int64
	ClientID   int64
	Profile    string
	StepID     string
	Kind       plans.StepKind
	Level      int
	Channel    string // email, registered_letter; empty for actions
	Action     string // provision, phone_call; empty for messages
	Currency   string // the invoice's: a message lists invoices of one currency
	// Fresh is true when this run recorded the decision; false when an
	// earlier run of the same day had (a replay finds its decisions again).
	Fresh bool
}

// Held is an invoice that a step would have fired for on the swept day,
// held back for Reason: one of the plans.Resolve reasons insolvency,
// paused, net_balance, dispute, promise, min_amount, case (an open legal
// case holds the invoice's messages, not its actions), waiting and gap, or
// no_email / bouncing for an email step to a client without a working
// address. An excluded invoice or client is out of dunning, never held.
// StepID is the step held (a message step when one is).
type Held struct {
	InvoiceID int64
	ClientID  int64
	Profile   string
	StepID    string
	Kind      plans.StepKind
	Currency  string
	Reason    string
}

// SweepResult is what one run decided and did.
type SweepResult struct {
	Day time.Time
	// Fast says the sweep read only the invoices whose wake day had come
	// (sweep_wake, migration 00161) rather than the whole ledger as of Day.
	Fast      bool
	Decisions []Decision
	Held      []Held     // with SweepOptions.Explain only
	Jobs      []SendArgs // send jobs enqueued by this run
	JobIDs    []int64    // their River ids, in the order of Jobs
	// Proposals are the provision proposals the review made (review).
	Proposals []ledger.ProvisionProposed
	Tasks     int // tasks (phone calls, claim declarations) created
	// Journal counts the entries the provision review booked: 411 → 416
	// reclassifications, provisions and reversals.
	Journal int
	// Priced counts the doubtful invoices the provision review priced
	// (ledger.ProvisionReview.Priced): on a daily sweep, only what changed.
	Priced int
	// Settled is what ended by itself by that day: promises kept or
	// broken, disputes past their end.
	Settled ledger.Settled
	// Returned counts the pending rows whose send job had died (by the
	// job's fate: discarded, cancelled, deleted), dropped by the
	// reconciliation before the evaluation and so decided again.
	Returned map[string]int
}

// StepCounts returns how many decisions each step id got.
func (r SweepResult) StepCounts() map[string]int {
	out := map[string]int{}
	for _, d := range r.Decisions {
		out[d.StepID]++
	}
	return out
}

// sweepLockKey serialises sweeps across processes: two sweeps interleaving on
// one day could otherwise each record part of a client's invoices and send
// that client two messages.
var sweepLockKey = func() int64 {
	h := fnv.New64a()
	h.Write([]byte("relance.sweep"))
	return int64(h.Sum64())
}()

// Run evaluates day in tx: it settles what ended by itself in the ledger
// (ledger.Settle), reconciles the reminder rows whose send job died
// (Reconcile), fills the business-day calendar for the countries in play,
// records every due (invoice, step) pair in the reminder ledger and the
// phone-call tasks, reviews the provisions and the claim declarations
// (review), and enqueues one send job per client and channel with jobs. The
// caller commits tx; nothing of a failed run remains.
func (s *Sweeper) Run(ctx context.Context, tx pgx.Tx, jobs JobInserter, day time.Time, opts SweepOptions) (SweepResult, error) {
	res := SweepResult{Day: day}
	if s.Plans == nil || len(s.Plans.Profiles) == 0 {
		return res, errors.New("sweep: no plan profiles loaded")
	}
	if opts.Sandboxed {
		if err := checkSandbox(ctx, tx); err != nil {
			return res, fmt.Errorf("sweep %s: %w", formatDay(day), err)
		}
	} else if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, sweepLockKey); err != nil {
		return res, fmt.Errorf("sweep %s: lock: %w", formatDay(day), err)
	}
	if _, err := tx.Exec(ctx, sweepMemorySQL); err != nil {
		return res, fmt.Errorf("sweep %s: work_mem: %w", formatDay(day), err)
	}
	// Before deciding, two bookkeepings, in this transaction so that the
	// evaluation below sees them: what ends by itself in the ledger is
	// settled (a broken promise resumes dunning the day after its end, a
	// kept one releases the invoice the day it was paid, a dispute past its
	// `until` closes), then the rows whose send job died are returned (no
	// longer ladder history). They touch disjoint tables (promise and
	// dispute; reminder against river_job) and neither reads what the other
	// writes, so either order decides the same; the ledger goes first
	// because data flows ledger → sweep → jobs.
	settled, err := ledger.New(tx, ledger.Options{}).Settle(ctx, day)
	if err != nil {
		return res, fmt.Errorf("sweep %s: %w", formatDay(day), err)
	}
	res.Settled = settled
	if res.Returned, err = Reconcile(ctx, tx, day); err != nil {
		return res, fmt.Errorf("sweep %s: %w", formatDay(day), err)
	}
	cals, err := s.fillCalendar(ctx, tx, day)
	if err != nil {
		return res, err
	}
	// The statement joins CTEs whose sizes the planner cannot estimate (it
	// takes each for one row); a nested loop over two of them is quadratic
	// in the invoices due. Hash joins are right at every size here.
	if _, err := tx.Exec(ctx, `SET LOCAL enable_nestloop = off; SET LOCAL jit = off`); err != nil {
		return res, fmt.Errorf("sweep %s: %w", formatDay(day), err)
	}
	fast, err := s.fastPath(ctx, tx, day, preDueLead(cals, day), opts.Explain || opts.Sandboxed)
	if err != nil {
		return res, fmt.Errorf("sweep %s: %w", formatDay(day), err)
	}
	res.Fast = fast
	args := s.sweepParams(day, opts.Explain, fast)
	// Planned for its day at every run: an unnamed statement
	// (QueryExecModeCacheDescribe) is parsed and planned with its
	// parameters each time. Prepared once per connection, PostgreSQL could
	// switch to a generic plan, built without the day, from the sixth run
	// on one connection (a preview or a plan diff runs it once per
	// simulated day): 1.5 to 4.5 s a day instead of 0.1 to 0.2 s on a
	// 20,000-item portfolio. Not SET LOCAL plan_cache_mode =
	// force_custom_plan, as before: that holds for every plan the statement
	// runs, the foreign-key check of each reminder row inserted included,
	// which was then planned again per row (about 10 µs a row: 1.0 to 1.5 s
	// of CPU on a big day of 142,064 rows at 300,000 invoices).
	rows, err := tx.Query(ctx, sweepSQL, append([]any{pgx.QueryExecModeCacheDescribe}, args...)...)
	if err != nil {
		return res, fmt.Errorf("sweep %s: %w", formatDay(day), err)
	}
	for rows.Next() {
		var d Decision
		var id *int64
		var kind int
		var tasks int
		var held *string
		if err := rows.Scan(&id, &d.InvoiceID, &d.ClientID, &d.Profile, &d.StepID, &kind, &d.Level,
			&d.Channel, &d.Action, &d.Currency, &d.Fresh, &tasks, &held); err != nil {
			rows.Close()
			return res, fmt.Errorf("sweep %s: read decisions: %w", formatDay(day), err)
		}
		d.Kind = plans.StepKind(kind)
		if held != nil {
			res.Held = append(res.Held, Held{InvoiceID: d.InvoiceID, ClientID: d.ClientID, Profile: d.Profile,
				StepID: d.StepID, Kind: d.Kind, Currency: d.Currency, Reason: *held})
			continue
		}
		d.ReminderID = *id
		res.Decisions = append(res.Decisions, d)
		res.Tasks = tasks
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("sweep %s: %w", formatDay(day), err)
	}
	// JIT stays off for the rest of the transaction: the provision review's
	// statements are costed past jit_above_cost on estimates of tables the
	// planner cannot count (its list of what changed, a sandbox's twins),
	// and compiling them took 0.2 to 2 s for a review that runs in 50 ms
	// (bench/analysis.md, perf7-nextday).
	if _, err := tx.Exec(ctx, `RESET enable_nestloop`); err != nil {
		return res, fmt.Errorf("sweep %s: %w", formatDay(day), err)
	}
	// The review runs after the evaluation, in the same transaction: it
	// prices the provision steps the statement just recorded (proposed on
	// the day the step fired, not on the next sweep), and the evaluation
	// reads nothing it writes (provisions, journal entries, claim tasks),
	// so running it first would decide nothing differently, only later.
	if err := s.review(ctx, tx, day, &res); err != nil {
		return res, err
	}
	if err := s.enqueue(ctx, tx, jobs, day, opts, &res); err != nil {
		return res, err
	}
	return res, nil
}

// review brings the provisions and the claim declarations up to day, after
// the day's decisions (a provision step just recorded is priced at once):
// an insolvency opened by day makes every invoice issued before it
// doubtful, one published by day calls for a claim declaration within two
// months (DESIGN §2, Insolvency), due on a business day of the client's
// country.
func (s *Sweeper) review(ctx context.Context, tx pgx.Tx, day time.Time, res *SweepResult) error {
	store := ledger.New(tx, ledger.Options{})
	rev, err := store.ReviewProvisions(ctx, day, s.Provision)
	if err != nil {
		return fmt.Errorf("sweep %s: %w", formatDay(day), err)
	}
	res.Proposals, res.Journal, res.Priced = rev.Proposals, rev.Reclassified+rev.Adjusted, rev.Priced
	claims, err := store.ReviewClaimTasks(ctx, day, func(country string, d time.Time) (time.Time, error) {
		cal, err := s.Calendars(country)
		if err != nil {
			return d, err
		}
		return cal.NextBusinessDay(d), nil
	})
	if err != nil {
		return fmt.Errorf("sweep %s: %w", formatDay(day), err)
	}
	res.Tasks += claims
	return nil
}

// Messages groups the message decisions of day into the messages they
// make: one per client, channel and currency (a client owing in two
// currencies gets two messages: a message's totals are in one currency),
// ordered by client, channel and currency. Actions make no message.
func Messages(day time.Time, decisions []Decision) []SendArgs {
	type key struct {
		client            int64
		channel, currency string
	}
	groups := map[key][]int64{}
	var order []key
	for _, d := range decisions {
		if d.Kind == plans.Action {
			continue
		}
		k := key{d.ClientID, d.Channel, d.Currency}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], d.ReminderID)
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].client != order[j].client {
			return order[i].client < order[j].client
		}
		if order[i].channel != order[j].channel {
			return order[i].channel < order[j].channel
		}
		return order[i].currency < order[j].currency
	})
	out := make([]SendArgs, len(order))
	for i, k := range order {
		out[i] = SendArgs{ClientID: k.client, Day: formatDay(day), Channel: k.channel, Currency: k.currency, ReminderIDs: groups[k]}
	}
	return out
}

// enqueue makes the messages of the fresh decisions (Messages), one send
// job each, inserts them with InsertManyFastTx (River's COPY path) and
// reads their ids back.
func (s *Sweeper) enqueue(ctx context.Context, tx pgx.Tx, jobs JobInserter, day time.Time, opts SweepOptions, res *SweepResult) error {
	var fresh []Decision
	for _, d := range res.Decisions {
		if d.Fresh {
			fresh = append(fresh, d)
		}
	}
	res.Jobs = Messages(day, fresh)
	if len(res.Jobs) == 0 {
		return nil
	}
	var at time.Time
	if !opts.Now && s.Clock != nil {
		at = s.Window.NextOpening(s.Clock.Now())
	}
	params := make([]river.InsertManyParams, 0, len(res.Jobs))
	for _, a := range res.Jobs {
		o := a.InsertOpts()
		o.ScheduledAt = at
		params = append(params, river.InsertManyParams{Args: a, InsertOpts: &o})
	}
	var after int64
	if err := tx.QueryRow(ctx, sweepJobsBeforeSQL).Scan(&after); err != nil {
		return fmt.Errorf("sweep %s: enqueue: %w", formatDay(day), err)
	}
	n, err := jobs.InsertManyFastTx(ctx, tx, params)
	if err != nil {
		return fmt.Errorf("sweep %s: enqueue %d send jobs: %w", formatDay(day), len(params), err)
	}
	// The rows learn their job id when the send worker records the outcome;
	// the job's args already name them, so the sweep does not write each row
	// a second time. The ids come back in one read, in the order of Jobs
	// (COPY takes the sequence in the rows' order).
	rows, err := tx.Query(ctx, sweepJobIDsSQL, after, (SendArgs{}).Kind())
	if err != nil {
		return fmt.Errorf("sweep %s: job ids: %w", formatDay(day), err)
	}
	if res.JobIDs, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return fmt.Errorf("sweep %s: job ids: %w", formatDay(day), err)
	}
	if len(res.JobIDs) != n {
		return fmt.Errorf("sweep %s: enqueued %d send jobs, found %d", formatDay(day), n, len(res.JobIDs))
	}
	return nil
}

// calendarBefore and calendarAfter bound the days filled around the swept day:
// a pre-due notice looks ahead for the run of non-business days that moves it
// back to D; nothing else needs the table away from D.
const (
	calendarBefore = 7
	calendarAfter  = 31
)

// fillCalendar makes sure business_day covers [day−7, day+31] for every
// country of a client, in one INSERT … SELECT FROM unnest, and returns the
// calendars of those countries.
func (s *Sweeper) fillCalendar(ctx context.Context, tx pgx.Tx, day time.Time) ([]Calendar, error) {
	rows, err := tx.Query(ctx, sweepCountriesSQL)
	if err != nil {
		return nil, fmt.Errorf("sweep: countries: %w", err)
	}
	countries, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("sweep: countries: %w", err)
	}
	var cals []Calendar
	var cs []string
	var days, next, prev []time.Time
	var business []bool
	for _, c := range countries {
		cal, err := s.Calendars(c)
		if err != nil {
			return nil, fmt.Errorf("sweep: calendar of %q: %w", c, err)
		}
		cals = append(cals, cal)
		for d := day.AddDate(0, 0, -calendarBefore); !d.After(day.AddDate(0, 0, calendarAfter)); d = d.AddDate(0, 0, 1) {
			cs = append(cs, c)
			days = append(days, d)
			business = append(business, cal.IsBusinessDay(d))
			next = append(next, cal.NextBusinessDay(d))
			prev = append(prev, cal.PrevBusinessDay(d))
		}
	}
	if len(cs) == 0 {
		return nil, nil
	}
	_, err = tx.Exec(ctx, `INSERT INTO business_day (country, day, is_business, next_bd, prev_bd)
		SELECT * FROM unnest($1::text[], $2::date[], $3::bool[], $4::date[], $5::date[])
		ON CONFLICT (country, day) DO NOTHING`, cs, days, business, next, prev)
	if err != nil {
		return nil, fmt.Errorf("sweep: fill business days: %w", err)
	}
	return cals, nil
}

// preDueMargin is added to the longest run of non-business days found, for
// the pre-due lead: a calendar whose rules move a holiday by a day between
// two sweeps stays inside it.
const preDueMargin = 2

// preDueLookahead is how far preDueLead looks for runs of non-business
// days: a longer run than the lead stored resets every wake day
// (sweep_plan.sql) when it enters the window, long before its days come.
const preDueLookahead = 400

// preDueLead is how many days before due + offset a pre-due notice can be
// decided: the sweep moves a notice back over the run of non-business days
// that ends at due + offset (sweep.sql), so the longest run in the calendars
// of cals over the coming preDueLookahead days, plus preDueMargin, and never
// more than calendarAfter (the sweep knows no calendar further ahead). The
// wake days start a pre-due notice's window this many days early where
// business_day does not reach due + offset yet, and on its business day
// where it does (migration 00170, sweep_wake_day).
func preDueLead(cals []Calendar, day time.Time) int {
	longest := 0
	for _, cal := range cals {
		run := 0
		for d := day.AddDate(0, 0, -calendarBefore); d.Before(day.AddDate(0, 0, preDueLookahead)); d = d.AddDate(0, 0, 1) {
			if cal.IsBusinessDay(d) {
				run = 0
				continue
			}
			run++
			longest = max(longest, run)
		}
	}
	return min(longest+preDueMargin, calendarAfter)
}

// fastPath says whether the sweep of day reads only the invoices whose wake
// day has come (sweep_wake, migration 00161) rather than the whole ledger as
// of day. It does for the real sweep of a day on or after every decision
// recorded and the latest day swept this way, which is every daily sweep; an
// explaining run (preview), a sandboxed one (whose reminders are twins the
// wake days know nothing of, and which must not write them) and a replay of
// a past day read everything, as the wake days only hold from the latest
// day on. It first brings the plan
// the wake days are computed with up to s.Plans (a changed plan makes this
// sweep read every invoice again).
func (s *Sweeper) fastPath(ctx context.Context, tx pgx.Tx, day time.Time, lead int, full bool) (bool, error) {
	if full {
		return false, nil
	}
	pl := flattenPlans(s.Plans)
	var reset, fast bool
	if err := tx.QueryRow(ctx, sweepPlanSQL, pl.stepProfile, pl.stepID, pl.stepKind, pl.stepLevel, pl.stepOffset,
		pl.stepGap, lead, pl.ruleProfile, pl.ruleScores, pl.ruleCountries, pl.ruleSegments, pl.ruleBalance,
		defaultProfile(s.Plans), pl.stepMin).Scan(&reset); err != nil {
		return false, fmt.Errorf("plan of the wake days: %w", err)
	}
	if err := tx.QueryRow(ctx, sweepModeSQL, day).Scan(&fast); err != nil {
		return false, fmt.Errorf("wake days: %w", err)
	}
	return fast, nil
}

// sweepParams is the plan set as the arrays sweep.sql unnests, and
// adds the explain and fast-path switches.
func (s *Sweeper) sweepParams(day time.Time, explain, fast bool) []any {
	pl := flattenPlans(s.Plans)
	return []any{day,
		pl.stepProfile, pl.stepID, pl.stepKind, pl.stepLevel, pl.stepOffset, pl.stepChannel, pl.stepTemplate,
		pl.stepAction, pl.stepPenalties,
		pl.profileName, pl.profileGap, pl.profileMin, defaultProfile(s.Plans),
		pl.ruleProfile, pl.ruleScores, pl.ruleMin, pl.ruleMax, pl.ruleCountries, pl.ruleSegments,
		explain, fast,
	}
}

// planArrays is a plan set as the arrays sweep.sql and sweep_plan.sql
// unnest: a row per step (with its profile's gap and min_amount), per
// profile, and per assign rule.
type planArrays struct {
	stepProfile, stepID                   []string
	stepChannel, stepTemplate, stepAction []*string
	stepKind, stepLevel, stepOffset       []int32
	stepPenalties                         []bool
	stepGap                               []int32
	stepMin                               []int64

	profileName []string
	profileGap  []int32
	profileMin  []int64

	ruleProfile, ruleScores, ruleCountries, ruleSegments []string
	ruleMin, ruleMax                                     []*int64
	ruleBalance                                          []bool // the rule looks at the net balance
}

func flattenPlans(set *plans.Set) planArrays {
	var pl planArrays
	for _, p := range set.Profiles {
		pl.profileName = append(pl.profileName, p.Name)
		pl.profileGap = append(pl.profileGap, int32(p.MinGap))
		pl.profileMin = append(pl.profileMin, int64(p.MinAmount))
		for _, st := range p.Steps {
			pl.stepProfile = append(pl.stepProfile, p.Name)
			pl.stepID = append(pl.stepID, st.ID)
			pl.stepKind = append(pl.stepKind, int32(st.Kind))
			pl.stepLevel = append(pl.stepLevel, int32(st.Level))
			pl.stepOffset = append(pl.stepOffset, int32(st.Offset))
			pl.stepChannel = append(pl.stepChannel, nullIfEmpty(st.Channel))
			pl.stepTemplate = append(pl.stepTemplate, nullIfEmpty(st.Template))
			pl.stepAction = append(pl.stepAction, nullIfEmpty(st.Action))
			pl.stepPenalties = append(pl.stepPenalties, st.Penalties)
			pl.stepGap = append(pl.stepGap, int32(p.MinGap))
			pl.stepMin = append(pl.stepMin, int64(p.MinAmount))
		}
	}
	for _, r := range set.Assign {
		pl.ruleProfile = append(pl.ruleProfile, r.Profile)
		pl.ruleScores = append(pl.ruleScores, strings.Join(r.Score, ","))
		pl.ruleCountries = append(pl.ruleCountries, strings.Join(r.Country, ","))
		pl.ruleSegments = append(pl.ruleSegments, strings.Join(r.Segment, ","))
		pl.ruleMin = append(pl.ruleMin, amountOrNil(r.MinOutstanding))
		pl.ruleMax = append(pl.ruleMax, amountOrNil(r.MaxOutstanding))
		pl.ruleBalance = append(pl.ruleBalance, r.MinOutstanding != nil || r.MaxOutstanding != nil)
	}
	return pl
}

func amountOrNil(a *money.Amount) *int64 {
	if a == nil {
		return nil
	}
	v := int64(*a)
	return &v
}

// defaultProfile is the profile of a client with no explicit profile when no
// assign rule matches: "standard" when the set has it, else the first one.
func defaultProfile(set *plans.Set) string {
	if set.Profile("standard") != nil {
		return "standard"
	}
	return set.Profiles[0].Name
}

// nullIfEmpty maps "" to SQL NULL in a text array.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
