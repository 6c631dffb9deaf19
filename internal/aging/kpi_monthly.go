package aging

import (
	"context"
	_ "embed"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
)

//go:embed sql/kpi_month_ends.sql
var kpiMonthEndsSQL string

// Month is one calendar month's figures in one currency, as Compute gives
// them for a one-month window ending on the month's last day (on the as-of
// date for the as-of month).
type Month struct {
	Month    time.Time // first day of the month
	Currency string
	// Receivables is the net balance at the month's end (Compute's
	// Receivables and Closing), ClosingCurrent its part not yet due.
	Receivables, ClosingCurrent money.Amount
	Opening                     money.Amount // the net balance the day before the month
	NetSales                    money.Amount // invoices less credit notes issued in the month
	LateRate                    Rate
	DMP                         float64
	DMPInvoices                 int
	CEI                         Rate
}

// Monthly works out, for each of the months calendar months ending with
// the as-of month, newest first and by currency, the receivables, late
// rate, DMP and CEI that Compute gives for a one-month window ending on
// that month's last day (the as-of date for the as-of month). A month opens
// with the balance the month before it closed with, and the months + 1
// balances are read together, in one read of the ledger over their span
// (balancesOn), where calling Compute month by month reads two aged
// balances a month: at a million invoices, twelve months took 14 s that way
// (bench/analysis.md). It reads none of Compute's other KPIs (cohorts,
// recovery, credit usage). A currency has a month when it has a balance at
// either end of the month, sales in it or an invoice settled in it. The
// balances are the whole ledger's, disputes included, as Compute's.
func Monthly(ctx context.Context, q Querier, o Options, months int) ([]Month, error) {
	if months < 1 {
		return nil, fmt.Errorf("kpi months: %d: want at least 1", months)
	}
	o.Client, o.Profile, o.ExcludeDisputed = "", "", false
	starts := make([]time.Time, months+1) // first day of month i; months: the month before the oldest
	ends := make([]time.Time, months+1)   // the day month i closes
	for i := range starts {
		starts[i] = clock.Date(o.AsOf.Year(), o.AsOf.Month()-time.Month(i), 1)
		ends[i] = clock.EndOfMonth(starts[i])
	}
	ends[0] = o.AsOf

	sc, err := o.resolve(ctx, q, Buckets(o.Edges))
	if err != nil {
		return nil, err
	}
	days := make([]time.Time, months+1) // ends, oldest first
	for i, end := range ends {
		days[months-i] = end
	}
	onDay, err := balancesOn(ctx, q, days, sc)
	if err != nil {
		return nil, err
	}
	closing := make([]map[string]dayBalance, months+1) // closing[i]: on ends[i]
	for i := range closing {
		closing[i] = onDay[months-i]
	}

	netSales := map[time.Time]map[string]money.Amount{}
	err = readSales(ctx, q, []any{o.AsOf, starts[months-1], sc.entities}, func(c string, month time.Time, _, net money.Amount) {
		if netSales[month] == nil {
			netSales[month] = map[string]money.Amount{}
		}
		netSales[month][c] = net
	})
	if err != nil {
		return nil, err
	}

	var out []Month
	for i := range months {
		byCur := map[string]*Month{}
		get := func(c string) *Month {
			if byCur[c] == nil {
				byCur[c] = &Month{Month: starts[i], Currency: c}
			}
			return byCur[c]
		}
		for c, b := range closing[i] {
			m := get(c)
			m.Receivables, m.ClosingCurrent, m.LateRate = b.total, b.notDue, b.lateRate()
		}
		for c, b := range closing[i+1] {
			get(c).Opening = b.total
		}
		for c, n := range netSales[starts[i]] {
			get(c).NetSales = n
		}
		// DMP with the ledger as of the month's end, as Compute's of the month.
		err := dmp(ctx, q, []any{ends[i], starts[i], sc.entities}, func(c string, d float64, n int) {
			m := get(c)
			m.DMP, m.DMPInvoices = d, n
		})
		if err != nil {
			return nil, err
		}
		month := make([]Month, 0, len(byCur))
		for _, m := range byCur {
			den := int64(m.Opening + m.NetSales - m.ClosingCurrent)
			m.CEI = RateOf(int64(m.Opening+m.NetSales-m.Receivables), den)
			month = append(month, *m)
		}
		sort.Slice(month, func(a, b int) bool { return month[a].Currency < month[b].Currency })
		out = append(out, month...)
	}
	return out, nil
}

// dayBalance is what a currency's section of the aged balance on a day
// totals: Total's total, unapplied credit and bucket 0 (not due).
type dayBalance struct{ total, unapplied, notDue money.Amount }

// lateRate is Row.LateRate of the section's total: overdue ÷ the buckets.
func (b dayBalance) lateRate() Rate {
	outstanding := b.total - b.unapplied
	return RateOf(int64(outstanding-b.notDue), int64(outstanding))
}

// balancesOn returns, for each of days (oldest first), each currency's
// dayBalance on that day: what ByClient's sections total with the scope's
// bounds and entities, read in one statement (sql/kpi_month_ends.sql). A
// currency is there on a day when ByClient would list a client in it.
func balancesOn(ctx context.Context, q Querier, days []time.Time, sc scope) ([]map[string]dayBalance, error) {
	rows, err := q.Query(ctx, kpiMonthEndsSQL, days, sc.bounds, sc.entities)
	if err != nil {
		return nil, fmt.Errorf("balances on month ends: %w", err)
	}
	type change struct {
		currency string
		day      int
		clients  int64
		b        dayBalance
	}
	var changes []change
	var c change
	_, err = pgx.ForEachRow(rows, []any{&c.currency, &c.day, &c.clients, &c.b.total, &c.b.unapplied, &c.b.notDue}, func() error {
		changes = append(changes, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("balances on month ends: %w", err)
	}
	out := make([]map[string]dayBalance, len(days))
	for i := range out {
		out[i] = map[string]dayBalance{}
	}
	// changes come by currency, then day: each holds until the next
	for i := 0; i < len(changes); {
		cur := changes[i].currency
		var clients int64
		var b dayBalance
		for day := 1; day <= len(days); day++ {
			for ; i < len(changes) && changes[i].currency == cur && changes[i].day == day; i++ {
				clients += changes[i].clients
				b.total += changes[i].b.total
				b.unapplied += changes[i].b.unapplied
				b.notDue += changes[i].b.notDue
			}
			if clients > 0 {
				out[day-1][cur] = b
			}
		}
	}
	return out, nil
}
