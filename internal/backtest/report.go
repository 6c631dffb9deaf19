package backtest

import (
	"cmp"
	"context"
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
)

//go:embed sql/clients.sql
var clientsSQL string

//go:embed sql/due_dates.sql
var dueDatesSQL string

//go:embed sql/outstanding.sql
var outstandingSQL string

// Report compares what two plans would have sent over a period.
type Report struct {
	Entity string `json:"entity"`
	From   string `json:"from"`
	To     string `json:"to"`
	Days   int    `json:"days"`
	Old    Totals `json:"old"`
	New    Totals `json:"new"`
	// Months holds each calendar month of the period, in order; Total the
	// whole period (its Month is "").
	Months []Month `json:"months"`
	Total  Month   `json:"total"`
	// Clients are the clients the two plans remind differently (a message
	// on another day, at another level, by another channel or listing other
	// invoices), largest outstanding first; Reminded counts the clients
	// either plan reminds at all.
	Clients  []Client `json:"clients"`
	Reminded int      `json:"clients_reminded"`
}

// Totals is what one plan would have sent over the whole period.
type Totals struct {
	Plan     string `json:"plan"`
	Messages int    `json:"messages"` // emails
	Letters  int    `json:"letters"`  // registered letters
	Clients  int    `json:"clients"`  // clients who get at least one
}

// Month is one month (or the whole period) of the comparison.
type Month struct {
	Month  string  `json:"month"` // 2025-09; "" for the whole period
	Levels []Level `json:"levels"`
	// FirstContact is the delay from the due date to the first reminder
	// (level 1) of the invoices that got it that month.
	FirstContact Pair[Delay] `json:"first_contact"`
}

// Pair is a figure under the old plan and under the new one.
type Pair[T any] struct {
	Old T `json:"old"`
	New T `json:"new"`
}

// Level counts the messages of one level: a message counts at the level of
// the highest step it stands for (0: pre-due notice).
type Level struct {
	Level int          `json:"level"`
	Count Pair[Counts] `json:"count"`
}

// Counts are messages by channel.
type Counts struct {
	Messages int `json:"messages"` // emails
	Letters  int `json:"letters"`  // registered letters
}

// Delay is a first-contact delay in days over some invoices.
type Delay struct {
	Invoices int     `json:"invoices"`
	Mean     float64 `json:"mean_days"`
	Median   float64 `json:"median_days"`
}

// Client is a client the plans remind differently.
type Client struct {
	Code        string        `json:"client_code"`
	Name        string        `json:"client_name"`
	Outstanding []Balance     `json:"outstanding"` // on the last day, per currency
	Plans       Pair[Reached] `json:"plans"`
	// FirstDifference is the first day the two plans treat it differently.
	FirstDifference string `json:"first_difference"`
}

// Balance is an amount in one currency, in cents.
type Balance struct {
	Currency string       `json:"currency"`
	Amount   money.Amount `json:"amount"`
}

// Reached is what one plan sends a client over the period.
type Reached struct {
	Messages int    `json:"messages"` // emails
	Letters  int    `json:"letters"`  // registered letters
	TopLevel *int   `json:"top_level,omitempty"`
	First    string `json:"first,omitempty"` // the day of the first
}

// ledger is what the report reads of the ledger once the simulations are
// done: the entity's clients that either plan reminds, their outstanding on
// the last day, and the due dates of the invoices first reminded.
type ledger struct {
	clients     map[int64][2]string // id → code, name
	outstanding map[int64][]Balance
	due         map[int64]time.Time
}

// readLedger reads it in three queries, in tx (one of the sandboxes: the
// ledger tables are the real ones, as of the shared snapshot).
func readLedger(ctx context.Context, tx pgx.Tx, sims []*simulation, opts Options) (ledger, error) {
	l := ledger{clients: map[int64][2]string{}, outstanding: map[int64][]Balance{}, due: map[int64]time.Time{}}
	clientIDs, invoiceIDs := map[int64]bool{}, map[int64]bool{}
	for _, s := range sims {
		for _, m := range s.messages {
			clientIDs[m.client] = true
		}
		for id := range s.first {
			invoiceIDs[id] = true
		}
	}
	ids := slices.Sorted(maps.Keys(clientIDs))
	err := collect(ctx, tx, clientsSQL, []any{ids, opts.Entity}, func(rows pgx.Rows) error {
		var id int64
		var code, name string
		if err := rows.Scan(&id, &code, &name); err != nil {
			return err
		}
		l.clients[id] = [2]string{code, name}
		return nil
	})
	if err != nil {
		return l, fmt.Errorf("backtest: clients: %w", err)
	}
	err = collect(ctx, tx, outstandingSQL, []any{ids, opts.To}, func(rows pgx.Rows) error {
		var id int64
		var b Balance
		if err := rows.Scan(&id, &b.Currency, &b.Amount); err != nil {
			return err
		}
		l.outstanding[id] = append(l.outstanding[id], b)
		return nil
	})
	if err != nil {
		return l, fmt.Errorf("backtest: outstanding on %s: %w", day(opts.To), err)
	}
	err = collect(ctx, tx, dueDatesSQL, []any{slices.Sorted(maps.Keys(invoiceIDs)), opts.Entity}, func(rows pgx.Rows) error {
		var id int64
		var due time.Time
		if err := rows.Scan(&id, &due); err != nil {
			return err
		}
		l.due[id] = due
		return nil
	})
	if err != nil {
		return l, fmt.Errorf("backtest: due dates: %w", err)
	}
	return l, nil
}

// collect runs a query and hands each row to scan.
func collect(ctx context.Context, tx pgx.Tx, sql string, args []any, scan func(pgx.Rows) error) error {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// compare builds the report from the two simulations.
func compare(sims []*simulation, l ledger, opts Options, days int) *Report {
	rep := &Report{Entity: opts.Entity, From: day(opts.From), To: day(opts.To), Days: days,
		Old: Totals{Plan: opts.Old.Name}, New: Totals{Plan: opts.New.Name}, Clients: []Client{}}
	months := map[string]*tally{}
	var order []string
	for d := opts.From; !d.After(opts.To); d = d.AddDate(0, 0, 1) {
		if key := d.Format("2006-01"); months[key] == nil {
			months[key] = newTally()
			order = append(order, key)
		}
	}
	whole := newTally()
	totals := []*Totals{&rep.Old, &rep.New}
	traces := map[int64]*[2][]message{}
	for side, s := range sims {
		reached := map[int64]bool{}
		for _, m := range s.messages {
			if _, ok := l.clients[m.client]; !ok {
				continue // another entity's
			}
			months[m.day.Format("2006-01")].count(side, m)
			whole.count(side, m)
			if m.channel == "registered_letter" {
				totals[side].Letters++
			} else {
				totals[side].Messages++
			}
			reached[m.client] = true
			if traces[m.client] == nil {
				traces[m.client] = &[2][]message{}
			}
			traces[m.client][side] = append(traces[m.client][side], m)
		}
		totals[side].Clients = len(reached)
		for id, first := range s.first {
			if due, ok := l.due[id]; ok {
				delay := clock.DaysBetween(due, first)
				months[first.Format("2006-01")].delays[side] = append(months[first.Format("2006-01")].delays[side], delay)
				whole.delays[side] = append(whole.delays[side], delay)
			}
		}
	}
	for _, key := range order {
		rep.Months = append(rep.Months, months[key].month(key))
	}
	rep.Total = whole.month("")
	rep.Reminded = len(traces)
	for id, tr := range traces {
		first, differ := firstDifference(tr[0], tr[1])
		if !differ {
			continue
		}
		rep.Clients = append(rep.Clients, Client{Code: l.clients[id][0], Name: l.clients[id][1],
			Outstanding: l.outstanding[id], Plans: Pair[Reached]{Old: reach(tr[0]), New: reach(tr[1])},
			FirstDifference: day(first)})
	}
	slices.SortFunc(rep.Clients, func(a, b Client) int {
		return cmp.Or(cmp.Compare(sum(b.Outstanding), sum(a.Outstanding)), cmp.Compare(a.Code, b.Code))
	})
	return rep
}

// tally counts one month's messages per level and side, and collects its
// first-contact delays.
type tally struct {
	levels map[int]*Pair[Counts]
	delays [2][]int
}

func newTally() *tally { return &tally{levels: map[int]*Pair[Counts]{}} }

func (t *tally) count(side int, m message) {
	p := t.levels[m.level]
	if p == nil {
		p = &Pair[Counts]{}
		t.levels[m.level] = p
	}
	c := &p.Old
	if side == 1 {
		c = &p.New
	}
	if m.channel == "registered_letter" {
		c.Letters++
	} else {
		c.Messages++
	}
}

func (t *tally) month(key string) Month {
	m := Month{Month: key, Levels: []Level{},
		FirstContact: Pair[Delay]{Old: delayOf(t.delays[0]), New: delayOf(t.delays[1])}}
	for _, lv := range slices.Sorted(maps.Keys(t.levels)) {
		m.Levels = append(m.Levels, Level{Level: lv, Count: *t.levels[lv]})
	}
	return m
}

// delayOf is the mean and median of some delays in days.
func delayOf(days []int) Delay {
	d := Delay{Invoices: len(days)}
	if len(days) == 0 {
		return d
	}
	slices.Sort(days)
	total := 0
	for _, n := range days {
		total += n
	}
	d.Mean = float64(total) / float64(len(days))
	mid := len(days) / 2
	d.Median = float64(days[mid])
	if len(days)%2 == 0 {
		d.Median = float64(days[mid-1]+days[mid]) / 2
	}
	return d
}

// firstDifference is the first day the two message lists of one client
// differ (day, channel, currency, level or invoices), and whether they do.
func firstDifference(a, b []message) (time.Time, bool) {
	for i := range max(len(a), len(b)) {
		switch {
		case i >= len(a):
			return b[i].day, true
		case i >= len(b):
			return a[i].day, true
		case !same(a[i], b[i]):
			if b[i].day.Before(a[i].day) {
				return b[i].day, true
			}
			return a[i].day, true
		}
	}
	return time.Time{}, false
}

func same(a, b message) bool {
	return a.day.Equal(b.day) && a.channel == b.channel && a.currency == b.currency && a.level == b.level &&
		slices.Equal(a.invoices, b.invoices)
}

// reach sums up one plan's messages to a client.
func reach(ms []message) Reached {
	var r Reached
	for _, m := range ms {
		if m.channel == "registered_letter" {
			r.Letters++
		} else {
			r.Messages++
		}
		if r.TopLevel == nil || m.level > *r.TopLevel {
			lv := m.level
			r.TopLevel = &lv
		}
		if r.First == "" {
			r.First = day(m.day)
		}
	}
	return r
}

// sum adds balances of every currency: only to order clients by size.
func sum(bs []Balance) money.Amount {
	var t money.Amount
	for _, b := range bs {
		t += b.Amount
	}
	return t
}
