package backtest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/preview"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/worker"
)

// DB hands each plan's simulation a connection of its own; *pgxpool.Pool
// is one.
type DB interface {
	Acquire(ctx context.Context) (*pgxpool.Conn, error)
}

// Plan is one side of the comparison.
type Plan struct {
	Name    string          // how the report names it: the file it came from
	Sweeper preview.Sweeper // the sweep with this plan's profiles
}

// Options say what to compare.
type Options struct {
	Entity   string    // entity code
	From, To time.Time // first and last day simulated (00:00 UTC), inclusive
	Old, New Plan
	// Progress, when set, is told after each simulated day how many of
	// the total (days × 2) are done. It is called from both simulations,
	// one call at a time.
	Progress func(done, total int)
}

// MaxDays bounds a comparison: a year and a day covers any month-on-month
// comparison.
const MaxDays = 366

// ErrUnknownEntity is returned for an entity code the database does not have.
var ErrUnknownEntity = errors.New("unknown entity")

// Run simulates both plans over [opts.From, opts.To] and compares them.
// Nothing it simulates remains: each plan's transaction is a sandbox
// (worker.Sandbox) and is rolled back.
func Run(ctx context.Context, db DB, opts Options) (*Report, error) {
	days := int(opts.To.Sub(opts.From).Hours()/24) + 1
	switch {
	case opts.Old.Sweeper == nil || opts.New.Sweeper == nil:
		return nil, errors.New("backtest: a plan has no sweep")
	case days < 1:
		return nil, fmt.Errorf("backtest: %s is before %s", day(opts.To), day(opts.From))
	case days > MaxDays:
		return nil, fmt.Errorf("backtest: %d days: at most %d", days, MaxDays)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sims := []*simulation{{plan: opts.Old}, {plan: opts.New}}
	release, err := open(ctx, db, sims)
	defer release()
	if err != nil {
		return nil, err
	}
	var exists bool
	if err := sims[0].tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM entity WHERE code = $1)`, opts.Entity).Scan(&exists); err != nil {
		return nil, fmt.Errorf("backtest: %w", err)
	}
	if !exists {
		return nil, fmt.Errorf("backtest: entity %q: %w", opts.Entity, ErrUnknownEntity)
	}
	for _, s := range sims {
		if err := worker.Sandbox(ctx, s.tx, opts.From); err != nil {
			return nil, fmt.Errorf("backtest: %w", err)
		}
	}
	if err := simulateBoth(ctx, cancel, sims, opts, days); err != nil {
		return nil, err
	}
	facts, err := readLedger(ctx, sims[0].tx, sims, opts)
	if err != nil {
		return nil, err
	}
	return compare(sims, facts, opts, days), nil
}

// open begins both simulations' transactions on connections of their own,
// the second on the snapshot of the first, so that both plans read the same
// ledger whatever commits while they run. release rolls both back and
// gives the connections back.
func open(ctx context.Context, db DB, sims []*simulation) (release func(), err error) {
	var conns []*pgxpool.Conn
	release = func() {
		for _, s := range sims {
			if s.tx != nil {
				_ = s.tx.Rollback(context.WithoutCancel(ctx)) // the point: nothing is kept
			}
		}
		for _, c := range conns {
			c.Release()
		}
	}
	var snapshot string
	for i, s := range sims {
		c, err := db.Acquire(ctx)
		if err != nil {
			return release, fmt.Errorf("backtest: %w", err)
		}
		conns = append(conns, c)
		if s.tx, err = c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}); err != nil {
			return release, fmt.Errorf("backtest: %w", err)
		}
		if i == 0 {
			if err := s.tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
				return release, fmt.Errorf("backtest: export snapshot: %w", err)
			}
			if !snapshotID.MatchString(snapshot) {
				return release, fmt.Errorf("backtest: unexpected snapshot id %q", snapshot)
			}
			continue
		}
		// SET TRANSACTION SNAPSHOT takes no parameter: the id, checked
		// above to be hex digits and dashes, is written into the statement.
		if _, err := s.tx.Exec(ctx, fmt.Sprintf(`SET TRANSACTION SNAPSHOT '%s'`, snapshot)); err != nil {
			return release, fmt.Errorf("backtest: import snapshot: %w", err)
		}
	}
	return release, nil
}

// snapshotID is what pg_export_snapshot returns, e.g. 00000003-0000001B-1.
var snapshotID = regexp.MustCompile(`^[0-9A-F]+(-[0-9A-F]+)+$`)

// simulateBoth runs the two simulations side by side; the first error
// cancels the other.
func simulateBoth(ctx context.Context, cancel func(), sims []*simulation, opts Options, days int) error {
	var mu sync.Mutex
	done := 0
	progress := func() {
		if opts.Progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		opts.Progress(done, days*len(sims))
	}
	errs := make([]error, len(sims))
	var wg sync.WaitGroup
	for i, s := range sims {
		wg.Go(func() {
			if errs[i] = s.run(ctx, opts.From, opts.To, progress); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		// The plan that failed first, not the other one's "context canceled".
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("backtest: plan %s: %w", sims[i].plan.Name, err)
		}
	}
	return errors.Join(errs...)
}

// simulation is one plan's run: its sandbox and what it would have sent.
type simulation struct {
	plan     Plan
	tx       pgx.Tx
	messages []message
	// first is the day of each invoice's first reminder (level 1) in the
	// period: the first-contact delay runs from its due date to that day.
	first map[int64]time.Time
}

// message is one message the plan would have sent: one client, one
// channel, one currency, one day (worker.Messages).
type message struct {
	day      time.Time
	client   int64
	channel  string
	currency string
	level    int     // of the highest step it stands for; 0 for a pre-due notice
	invoices []int64 // sorted
}

// run sweeps every day from from through to in the sandbox.
func (s *simulation) run(ctx context.Context, from, to time.Time, progress func()) error {
	s.first = map[int64]time.Time{}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		res, err := preview.SimulateDay(ctx, s.tx, s.plan.Sweeper, d, worker.SweepOptions{Sandboxed: true})
		if err != nil {
			return err
		}
		s.record(res)
		progress()
	}
	return nil
}

// record keeps a simulated day's messages and first reminders.
func (s *simulation) record(res worker.SweepResult) {
	byReminder := make(map[int64]worker.Decision, len(res.Decisions))
	for _, d := range res.Decisions {
		byReminder[d.ReminderID] = d
		if d.Kind == plans.Ladder && d.Level == 1 {
			if _, ok := s.first[d.InvoiceID]; !ok {
				s.first[d.InvoiceID] = res.Day
			}
		}
	}
	for _, m := range worker.Messages(res.Day, res.Decisions) {
		msg := message{day: res.Day, client: m.ClientID, channel: m.Channel, currency: m.Currency}
		for _, id := range m.ReminderIDs {
			d := byReminder[id]
			msg.level = max(msg.level, d.Level)
			msg.invoices = append(msg.invoices, d.InvoiceID)
		}
		slices.Sort(msg.invoices)
		s.messages = append(s.messages, msg)
	}
}

func day(t time.Time) string { return t.Format(time.DateOnly) }
