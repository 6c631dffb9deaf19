package aging

import (
	"context"
	"fmt"
	"maps"
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

// groupEdges is the portfolio with a group around it: a subsidiary with a
// company of its own under it and an unrelated entity, whose clients have
// invoices issued and due on month ends, a credit note issued before the
// invoice it names, a payment allocated after the days read, and a client
// whose buckets cancel out (nothing owed, nothing unapplied, yet 500.00
// not due and 500.00 late), which the aged balance leaves out.
const groupEdges = `
INSERT INTO entity (code, name, parent_id) VALUES ('filiale', 'Filiale Sud SAS', 1), ('autre', 'Autre SA', NULL);
INSERT INTO entity (code, name, parent_id) SELECT 'atelier', 'Atelier Nord SARL', id FROM entity WHERE code = 'filiale';
INSERT INTO client (entity_id, code, name) SELECT id, 'S' || code, 'Client de ' || code FROM entity WHERE id > 1;
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, currency, amount_incl_vat)
SELECT c.entity_id, c.id, c.code || '-' || n, '2025-06-30'::date + 31 * n, '2025-07-31'::date + 31 * n, 'EUR', 100000 * n + c.entity_id
FROM client c, generate_series(0, 2) n WHERE c.code LIKE 'S%';
INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, currency, amount_incl_vat, applies_to_id)
SELECT i.entity_id, i.client_id, 'AV-' || i.number, 'credit_note', i.issue_date - 10, i.issue_date - 10, 'EUR', -20000, i.id
FROM invoice i WHERE i.number LIKE 'S%-1';
INSERT INTO payment (entity_id, client_id, reference, received_on, currency, amount, allocated)
SELECT c.entity_id, c.id, 'VIR-' || c.code, '2025-08-14', 'EUR', 60000, 60000 FROM client c WHERE c.code LIKE 'S%';
INSERT INTO allocation (invoice_id, source, payment_id, amount, applied_on)
SELECT i.id, 'payment', p.id, 60000, '2025-10-20' FROM invoice i JOIN payment p ON p.client_id = i.client_id WHERE i.number LIKE 'S%-0';
UPDATE invoice SET settled = 60000 WHERE number LIKE 'S%-0';
INSERT INTO client (entity_id, code, name) VALUES (1, 'Z001', 'Zéro SARL');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, currency, amount_incl_vat, settled)
SELECT 1, id, 'Z1', '2025-07-01', '2025-07-31', 'EUR', 100000, 100000 FROM client WHERE code = 'Z001';
INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, currency, amount_incl_vat, applies_to_id)
SELECT 1, c.id, 'ZAV', 'credit_note', '2025-08-01', '2025-08-01', 'EUR', -50000, i.id FROM client c, invoice i
WHERE c.code = 'Z001' AND i.number = 'Z1';
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, currency, amount_incl_vat)
SELECT 1, id, 'Z2', '2025-08-01', '2025-12-31', 'EUR', 50000 FROM client WHERE code = 'Z001'`

// balancesOn totals, on every day of a hundred, what ByClient's sections
// total that day, for the whole group and for each scope of it.
func TestBalancesOnIsByClientOnEveryDay(t *testing.T) {
	t.Parallel()
	db := portfolioDBFrom(t, "testdata/portfolio.sql")
	ctx := context.Background()
	if _, err := db.Exec(ctx, groupEdges); err != nil {
		t.Fatal(err)
	}
	var days []time.Time
	for d := clock.Date(2025, 6, 28); !d.After(clock.Date(2025, 10, 5)); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	for _, scope := range []Options{{}, {Entity: "default"}, {Entity: "default", Subsidiaries: true},
		{Entity: "filiale", Subsidiaries: true}, {Entity: "autre"}} {
		scope.Edges = defaultEdges
		sc, err := scope.resolve(ctx, db, Buckets(scope.Edges))
		if err != nil {
			t.Fatal(err)
		}
		got, err := balancesOn(ctx, db, days, sc)
		if err != nil {
			t.Fatal(err)
		}
		changes := 0
		for i, day := range days {
			o := scope
			o.AsOf = day
			rep, err := ByClient(ctx, db, o)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]dayBalance{}
			for _, s := range rep.Sections {
				want[s.Currency] = dayBalance{total: s.Total.Total(), unapplied: s.Total.Unapplied, notDue: s.Total.Buckets[0]}
			}
			if !maps.Equal(got[i], want) {
				t.Errorf("%s%v on %s: %+v, ByClient %+v", scope.Entity, scope.Subsidiaries, day.Format(time.DateOnly), got[i], want)
			}
			if i > 0 && !maps.Equal(got[i], got[i-1]) {
				changes++
			}
		}
		if changes < 3 {
			t.Errorf("%s%v: the balances change on %d days only: the portfolio does not test balancesOn", scope.Entity, scope.Subsidiaries, changes)
		}
	}
}

// Trend gives the sales, net sales and cohorts Compute gives for the same
// window, on every test portfolio and for the group's scopes, and nothing
// else.
func TestTrendGivesComputesSalesAndCohorts(t *testing.T) {
	for _, tc := range []struct {
		portfolio string
		asOf      time.Time
		months    int // windows that start inside the portfolio's months
		scopes    []Options
	}{
		{"testdata/kpi.sql", clock.Date(2025, 4, 17), 3, []Options{{}}},
		{"testdata/recovery.sql", clock.Date(2025, 3, 12), 2, []Options{{}}},
		{"testdata/portfolio.sql", clock.Date(2025, 10, 31), 4, []Options{{}, {Entity: "filiale"}, {Entity: "filiale", Subsidiaries: true}, {Entity: "autre"}}},
	} {
		t.Run(tc.portfolio, func(t *testing.T) {
			t.Parallel()
			db := portfolioDBFrom(t, tc.portfolio)
			ctx := context.Background()
			if tc.portfolio == "testdata/portfolio.sql" {
				if _, err := db.Exec(ctx, groupEdges); err != nil {
					t.Fatal(err)
				}
			}
			figures := 0
			for _, scope := range tc.scopes {
				scope.AsOf, scope.Edges = tc.asOf, defaultEdges
				o := KPIOptions{Options: scope, Months: tc.months, ReadOnly: true}
				whole, err := Compute(ctx, db, o)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Trend(ctx, db, o)
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]CurrencyKPIs{}
				for _, c := range whole.Currencies {
					if c.NetSales != 0 || len(c.Cohorts) > 0 {
						want[c.Currency] = CurrencyKPIs{Currency: c.Currency, Sales: c.Sales, NetSales: c.NetSales, Cohorts: c.Cohorts}
					}
				}
				for _, c := range got {
					w, ok := want[c.Currency]
					if !ok {
						t.Errorf("%+v: Trend has %s, Compute has no sales or cohorts in it", scope, c.Currency)
						continue
					}
					if g, w := fmt.Sprintf("%+v", c), fmt.Sprintf("%+v", w); g != w {
						t.Errorf("%+v, %s:\n got %s\nwant %s", scope, c.Currency, g, w)
					}
					if len(c.Cohorts) > 0 && c.NetSales != 0 {
						figures++
					}
					delete(want, c.Currency)
				}
				for c := range want {
					t.Errorf("%+v: Trend lacks %s", scope, c)
				}
			}
			if figures == 0 {
				t.Error("no currency with sales and cohorts: the portfolio does not test Trend")
			}
		})
	}
}
