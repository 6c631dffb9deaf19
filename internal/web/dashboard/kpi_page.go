package dashboard

import (
	"context"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/money"
)

// kpiView is the page's data: per currency, the KPIs month by month and
// the cohort recovery triangle.
type kpiView struct {
	page
	entityChoice
	Months       int
	MonthChoices []int // the windows the form offers, Months among them
	Subsidiaries bool  // the entity with the entities under it
	AsOfISO      string
	Currencies   []kpiCurrency
}

// kpiMonthChoices are the windows the form offers.
var kpiMonthChoices = []int{3, 6, 12, 24, 36}

type kpiCurrency struct {
	Currency string
	Months   []kpiMonth // newest first
	HeatMap  template.HTML
}

// kpiMonth is one month's figures: the receivables and DSO at its end (the
// as-of date for the current month), the DMP and CEI over the month.
type kpiMonth struct {
	Month       time.Time
	Receivables money.Amount
	Sales       money.Amount
	DSO         float64
	DSOCovered  bool
	DMP         float64
	DMPInvoices int
	CEI         aging.Rate
	LateRate    aging.Rate
}

// kpiPage shows DSO, DMP and CEI month by month and the recovery by
// billing month: each month's figures by aging.Monthly, the sales and
// cohorts by aging.Trend, as `relance kpi` computes them.
func (d *dashboard) kpiPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	entity := d.entityParam(r)
	day, err := d.day(r)
	if err != nil {
		return err
	}
	months := 12
	if s := r.URL.Query().Get("months"); s != "" {
		if months, err = strconv.Atoi(s); err != nil || months < 1 || months > 36 {
			return badRequest("months %q: want 1 to 36", s)
		}
	}
	p, err := d.newPage(ctx, w, r, "kpi", entity, day)
	if err != nil {
		return err
	}
	p.Title = p.T("nav.kpi")
	v := kpiView{page: p, Months: months, AsOfISO: day.Format(time.DateOnly),
		Subsidiaries: entity != "" && r.URL.Query().Get("subsidiaries") == "include"}
	if v.Entities, err = d.store("").Entities(ctx); err != nil {
		return err
	}
	v.MonthChoices = kpiMonthChoices
	if !slices.Contains(v.MonthChoices, months) {
		v.MonthChoices = slices.Sorted(slices.Values(append([]int{months}, kpiMonthChoices...)))
	}
	scope := aging.Options{Edges: d.opts.AgingEdges, Entity: entity, Subsidiaries: v.Subsidiaries}
	if v.Currencies, err = d.monthlyKPIs(ctx, scope, day, months, p.Locale); err != nil {
		return err
	}
	return d.render(w, http.StatusOK, "kpi", v)
}

// monthlyKPIs computes each month's KPIs, read only: the payer scores
// `relance kpi` stores on purpose are neither computed nor stored here.
func (d *dashboard) monthlyKPIs(ctx context.Context, base aging.Options, day time.Time, months int, locale string) ([]kpiCurrency, error) {
	// The window covers the months shown and, before the oldest, a year of
	// sales for its count-back DSO. Only its sales and cohorts are read:
	// the receivables are Monthly's.
	o := aging.KPIOptions{Options: base, Months: months + 12}
	o.AsOf = day
	trend, err := aging.Trend(ctx, d.opts.DB, o)
	if err != nil {
		return nil, err
	}
	byCur := map[string]*kpiCurrency{}
	salesOf := map[string][]aging.MonthSales{} // the window's sales by currency, newest first
	for _, c := range trend {
		salesOf[c.Currency] = c.Sales
		cohorts := c.Cohorts
		if len(cohorts) > months {
			cohorts = cohorts[len(cohorts)-months:]
		}
		// every text escaped by cohortHeatMap
		byCur[c.Currency] = &kpiCurrency{Currency: c.Currency, HeatMap: template.HTML(cohortHeatMap(cohorts, locale))}
	}
	// Each month's figures, with one aged balance a month (the month
	// before's closing is its opening).
	monthly, err := aging.Monthly(ctx, d.opts.DB, o.Options, months)
	if err != nil {
		return nil, err
	}
	for _, m := range monthly {
		kc := byCur[m.Currency]
		if kc == nil { // receivables only, nothing invoiced in the window
			kc = &kpiCurrency{Currency: m.Currency}
			byCur[m.Currency] = kc
		}
		km := kpiMonth{Month: m.Month, Receivables: m.Receivables, DMP: m.DMP, DMPInvoices: m.DMPInvoices, CEI: m.CEI, LateRate: m.LateRate}
		i := (day.Year()-m.Month.Year())*12 + int(day.Month()-m.Month.Month()) // months back from the as-of month
		if sales := salesOf[m.Currency]; i < len(sales) {
			km.Sales = sales[i].Sales
			km.DSO, km.DSOCovered = aging.CountBackDSO(m.Receivables, sales[i:])
		}
		kc.Months = append(kc.Months, km)
	}
	res := make([]kpiCurrency, 0, len(byCur))
	for _, c := range slices.Sorted(maps.Keys(byCur)) {
		res = append(res, *byCur[c])
	}
	return res, nil
}

// MonthLabel writes a month: 09/2025 or 2025-09.
func (v kpiView) MonthLabel(t time.Time) string {
	if v.Locale == "fr" {
		return t.Format("01/2006")
	}
	return t.Format("2006-01")
}
