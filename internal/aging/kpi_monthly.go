package aging

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
)

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
// with the balance the month before it closed with, so Monthly reads
// months + 1 aged balances where calling Compute month by month reads twice
// as many, and it reads none of Compute's other KPIs (cohorts, recovery,
// credit usage). A currency has a month when it has a balance at either end
// of the month, sales in it or an invoice settled in it.
func Monthly(ctx context.Context, q Querier, o Options, months int) ([]Month, error) {
	if months < 1 {
		return nil, fmt.Errorf("kpi months: %d: want at least 1", months)
	}
	o.Client, o.Profile = "", ""
	starts := make([]time.Time, months+1) // first day of month i; months: the month before the oldest
	ends := make([]time.Time, months+1)   // the day month i closes
	for i := range starts {
		starts[i] = clock.Date(o.AsOf.Year(), o.AsOf.Month()-time.Month(i), 1)
		ends[i] = clock.EndOfMonth(starts[i])
	}
	ends[0] = o.AsOf

	type balance struct{ total, current money.Amount }
	closing := make([]map[string]balance, months+1)
	late := make([]map[string]Rate, months+1)
	for i, end := range ends {
		oo := o
		oo.AsOf = end
		rep, err := ByClient(ctx, q, oo)
		if err != nil {
			return nil, err
		}
		closing[i], late[i] = map[string]balance{}, map[string]Rate{}
		for _, s := range rep.Sections {
			closing[i][s.Currency] = balance{s.Total.Total(), s.Total.Buckets[0]}
			late[i][s.Currency] = s.Total.LateRate()
		}
	}

	entities, err := entityIDs(ctx, q, o.Entity, o.Subsidiaries)
	if err != nil {
		return nil, err
	}
	netSales := map[time.Time]map[string]money.Amount{}
	err = readSales(ctx, q, []any{o.AsOf, starts[months-1], entities}, func(c string, month time.Time, _, net money.Amount) {
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
			m.Receivables, m.ClosingCurrent, m.LateRate = b.total, b.current, late[i][c]
		}
		for c, b := range closing[i+1] {
			get(c).Opening = b.total
		}
		for c, n := range netSales[starts[i]] {
			get(c).NetSales = n
		}
		// DMP with the ledger as of the month's end, as Compute's of the month.
		err := dmp(ctx, q, []any{ends[i], starts[i], entities}, func(c string, d float64, n int) {
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
