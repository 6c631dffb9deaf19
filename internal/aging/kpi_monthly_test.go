package aging

import (
	"context"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
)

// Monthly gives each month what Compute gives for a one-month window
// ending on the month's last day, on every test portfolio, with as-of
// dates at a month's end and within a month.
func TestMonthlyIsComputeMonthByMonth(t *testing.T) {
	for _, tc := range []struct {
		portfolio string
		asOf      []time.Time
	}{
		{"testdata/kpi.sql", []time.Time{clock.Date(2025, 3, 31), clock.Date(2025, 4, 17)}},
		{"testdata/recovery.sql", []time.Time{clock.Date(2025, 3, 31), clock.Date(2025, 3, 12)}},
		{"testdata/portfolio.sql", []time.Time{clock.Date(2025, 9, 12), clock.Date(2025, 10, 31)}},
	} {
		t.Run(tc.portfolio, func(t *testing.T) {
			t.Parallel()
			db := portfolioDBFrom(t, tc.portfolio)
			ctx := context.Background()
			for _, asOf := range tc.asOf {
				const months = 7
				got, err := Monthly(ctx, db, Options{AsOf: asOf, Edges: defaultEdges}, months)
				if err != nil {
					t.Fatal(err)
				}
				byKey := map[string]Month{}
				for _, m := range got {
					byKey[m.Month.Format("2006-01")+" "+m.Currency] = m
				}
				seen, figures := 0, 0
				for i := range months {
					end := asOf
					if i > 0 {
						end = clock.EndOfMonth(clock.Date(asOf.Year(), asOf.Month()-time.Month(i), 1))
					}
					k, err := Compute(ctx, db, KPIOptions{Options: Options{AsOf: end, Edges: defaultEdges}, Months: 1, ReadOnly: true})
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range k.Currencies {
						want := Month{Month: k.Start, Currency: c.Currency, Receivables: c.Receivables, ClosingCurrent: c.ClosingCurrent,
							Opening: c.Opening, NetSales: c.NetSales, LateRate: c.LateRate, DMP: c.DMP, DMPInvoices: c.DMPInvoices, CEI: c.CEI}
						key := k.Start.Format("2006-01") + " " + c.Currency
						m, ok := byKey[key]
						if !ok && want == (Month{Month: k.Start, Currency: c.Currency}) {
							continue // a currency with only recovery figures that month
						}
						seen++
						if m != want {
							t.Errorf("as of %s, %s:\n got %+v\nwant %+v", asOf.Format(time.DateOnly), key, m, want)
						}
						if m.Receivables != 0 || m.Opening != 0 || m.NetSales != 0 || m.DMPInvoices != 0 {
							figures++
						}
						delete(byKey, key)
					}
				}
				for key, m := range byKey {
					t.Errorf("as of %s, %s: a month Compute does not have: %+v", asOf.Format(time.DateOnly), key, m)
				}
				if figures < months/2 {
					t.Errorf("as of %s: only %d of %d months with figures: the portfolio does not test Monthly", asOf.Format(time.DateOnly), figures, seen)
				}
			}
		})
	}
}
