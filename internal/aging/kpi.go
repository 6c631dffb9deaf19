package aging

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
)

var (
	//go:embed sql/kpi_sales.sql
	kpiSalesSQL string
	//go:embed sql/kpi_dmp.sql
	kpiDMPSQL string
	//go:embed sql/kpi_cohorts.sql
	kpiCohortsSQL string
	//go:embed sql/credit_limits.sql
	creditLimitsSQL string
)

// KPIOptions select the KPIs' scope and window.
type KPIOptions struct {
	Options     // AsOf, Edges, Entity (Client and Profile are ignored)
	Months  int // length of the window in calendar months, ending with the as-of month [12]
	// LetterCost is what one registered letter costs to send
	// (letters.cost), counted in the cost of recovery; 0 leaves letters out.
	LetterCost money.Amount
	// ReadOnly leaves the payer scores alone: no grade is computed or
	// stored (KPIs.PayerScores stays empty). The dashboard's pages only
	// read; `relance kpi` grades on purpose.
	ReadOnly bool
}

// Window returns the first day of the KPI window: the first day of the
// calendar month Months−1 months before the as-of month. The window is
// [start, AsOf]: full calendar months, the as-of month included.
func (o KPIOptions) Window() time.Time {
	return clock.Date(o.AsOf.Year(), o.AsOf.Month()-time.Month(o.Months-1), 1)
}

// MonthSales is one calendar month's invoiced sales (invoices incl. VAT, by
// issue month; credit notes are not subtracted).
type MonthSales struct {
	Month time.Time // first day of the month
	Days  int       // length of the month in days
	Sales money.Amount
}

// CountBackDSO is the count-back DSO: walking monthly sales from the newest
// month backwards, every month whose sales the outstanding still exceeds
// counts its full length in days, and the month that covers the rest counts
// the covered fraction of its length. sales must be ordered newest first;
// the newest is the month of the as-of date, counted as a full month.
// covered is false when all the months are used up before covering the
// outstanding (the DSO is then a lower bound).
//
// DESIGN §2: outstanding 250,000; Dec 120,000 (31 days), Nov 100,000 (30),
// Oct 90,000 (31) → 31 + 30 + 30,000/90,000 × 31 = 71.33 days.
func CountBackDSO(outstanding money.Amount, sales []MonthSales) (days float64, covered bool) {
	rest := outstanding
	if rest <= 0 {
		return 0, true
	}
	for _, m := range sales {
		if m.Sales <= 0 {
			days += float64(m.Days)
			continue
		}
		if rest <= m.Sales {
			return days + float64(rest)/float64(m.Sales)*float64(m.Days), true
		}
		days += float64(m.Days)
		rest -= m.Sales
	}
	return days, false
}

// Cohort is the recovery of one billing month: the share of the amount
// invoiced that month collected by the end of month k after it (Collected[0]
// is by the end of the issue month itself). Only months that have ended, or
// the as-of month, are present: a triangle.
type Cohort struct {
	Month     time.Time
	Invoiced  money.Amount
	Collected []Rate
}

// CreditUsage is a client's outstanding against its credit limit.
type CreditUsage struct {
	ClientCode, ClientName string
	Currency               string
	Outstanding, Limit     money.Amount
	Usage                  Rate
	Band                   int // the highest threshold reached: 100, 90, 70 or 50
}

// ScoreCount is how many clients got a payer score (Score "" for clients
// without a paid invoice).
type ScoreCount struct {
	Score   string
	Clients int
}

// CurrencyKPIs are the KPIs of one currency.
type CurrencyKPIs struct {
	Currency string
	// Receivables is the net balance at the as-of date (buckets + unapplied),
	// the figure the DSO covers.
	Receivables money.Amount
	Sales       []MonthSales // the window's months, newest first
	DSO         float64      // days, count-back
	DSOCovered  bool
	// DMP is the amount-weighted average of (date of the allocation that
	// settled it − issue date) over the invoices fully settled in the window;
	// DMPInvoices of them. Write-offs are not payments: written-off invoices
	// are left out.
	DMP         float64
	DMPInvoices int
	// LateRate is overdue ÷ the sum of the buckets; BucketShares each
	// bucket's share of that sum.
	LateRate     Rate
	BucketShares []Rate
	// CEI is the collection effectiveness index over the window:
	// (opening + sales − closing) ÷ (opening + sales − closing current) × 100,
	// with opening the net receivables the day before the window, sales the
	// net sales of the window (invoices and credit notes issued in it: a
	// credit note lowers the receivables without being collected), closing
	// the net receivables at the as-of date and closing current its not-due
	// part.
	CEI                        Rate
	Opening, NetSales, Closing money.Amount
	ClosingCurrent             money.Amount
	Cohorts                    []Cohort
	CreditUsage                []CreditUsage
	// Recovery: the recovery rate, the amicable and legal shares of what
	// was recovered and the cost of recovery over the window.
	Recovery Recovery
}

// KPIs is the result of Compute.
type KPIs struct {
	AsOf        time.Time
	Start       time.Time // first day of the window
	Months      int
	Buckets     []Bucket
	Currencies  []CurrencyKPIs
	PayerScores []ScoreCount
	Promises    PromiseKPIs // promises found kept or broken in the window
	Disputes    DisputeKPIs // disputes resolved in the window, and those open
}

// Compute works out every KPI for the window ending at o.AsOf and, unless
// o.ReadOnly, stores each client's payer score (see ScorePayers). Each KPI
// is one grouped query.
func Compute(ctx context.Context, q Querier, o KPIOptions) (KPIs, error) {
	if o.Months < 1 {
		o.Months = 12
	}
	o.Client, o.Profile = "", ""
	k := KPIs{AsOf: o.AsOf, Start: o.Window(), Months: o.Months, Buckets: Buckets(o.Edges)}
	closing, err := ByClient(ctx, q, o.Options)
	if err != nil {
		return k, err
	}
	openOpts := o.Options
	openOpts.AsOf = k.Start.AddDate(0, 0, -1)
	opening, err := ByClient(ctx, q, openOpts)
	if err != nil {
		return k, err
	}
	cur := byCurrency{}
	get := cur.get
	for _, s := range closing.Sections {
		c := get(s.Currency)
		c.Receivables, c.Closing, c.ClosingCurrent = s.Total.Total(), s.Total.Total(), s.Total.Buckets[0]
		c.LateRate, c.BucketShares = s.Total.LateRate(), s.Shares()
	}
	for _, s := range opening.Sections {
		get(s.Currency).Opening = s.Total.Total()
	}

	entities, err := entityIDs(ctx, q, o.Entity, o.Subsidiaries)
	if err != nil {
		return k, err
	}
	args := []any{o.AsOf, k.Start, entities}
	if err := trend(ctx, q, o, k.Start, args, cur); err != nil {
		return k, err
	}
	for _, kc := range cur {
		kc.DSO, kc.DSOCovered = CountBackDSO(kc.Receivables, kc.Sales)
		den := int64(kc.Opening + kc.NetSales - kc.ClosingCurrent)
		kc.CEI = RateOf(int64(kc.Opening+kc.NetSales-kc.Closing), den)
	}

	if err := dmp(ctx, q, args, func(c string, d float64, n int) { kc := get(c); kc.DMP, kc.DMPInvoices = d, n }); err != nil {
		return k, err
	}
	if err := creditUsage(ctx, q, closing, get); err != nil {
		return k, err
	}
	if k.Promises, k.Disputes, err = recovery(ctx, q, args, o.LetterCost, get); err != nil {
		return k, err
	}
	if !o.ReadOnly {
		if k.PayerScores, err = ScorePayers(ctx, q, o.Options); err != nil {
			return k, err
		}
	}
	k.Currencies = cur.sorted()
	return k, nil
}

// Trend reads, for the window ending at o.AsOf, each currency's months of
// sales (CurrencyKPIs.Sales, NetSales) and billing cohorts (Cohorts), and
// nothing else: the part of Compute a month-by-month view needs beside
// Monthly, without the two aged balances, the DMP and the recovery that
// Compute also works out.
func Trend(ctx context.Context, q Querier, o KPIOptions) ([]CurrencyKPIs, error) {
	if o.Months < 1 {
		o.Months = 12
	}
	entities, err := entityIDs(ctx, q, o.Entity, o.Subsidiaries)
	if err != nil {
		return nil, err
	}
	start := o.Window()
	cur := byCurrency{}
	if err := trend(ctx, q, o, start, []any{o.AsOf, start, entities}, cur); err != nil {
		return nil, err
	}
	return cur.sorted(), nil
}

// trend reads the window's sales by month and its cohorts into cur, and
// gives every currency of cur, and every currency invoiced in the window,
// its sales of each month of the window, newest first.
func trend(ctx context.Context, q Querier, o KPIOptions, start time.Time, args []any, cur byCurrency) error {
	sales := map[string]map[time.Time]money.Amount{}
	err := readSales(ctx, q, args, func(c string, month time.Time, invoiced, net money.Amount) {
		if sales[c] == nil {
			sales[c] = map[time.Time]money.Amount{}
		}
		sales[c][month] = invoiced
		cur.get(c).NetSales += net
	})
	if err != nil {
		return err
	}
	for c, kc := range cur {
		for i := range o.Months {
			m := clock.Date(o.AsOf.Year(), o.AsOf.Month()-time.Month(i), 1)
			kc.Sales = append(kc.Sales, MonthSales{Month: m, Days: clock.EndOfMonth(m).Day(), Sales: sales[c][m]})
		}
	}
	return cohorts(ctx, q, o, start, args, cur.get)
}

// byCurrency holds the KPIs of each currency met so far.
type byCurrency map[string]*CurrencyKPIs

// get returns c's KPIs, added the first time c is met.
func (b byCurrency) get(c string) *CurrencyKPIs {
	if b[c] == nil {
		b[c] = &CurrencyKPIs{Currency: c}
	}
	return b[c]
}

// sorted lists the KPIs by currency code.
func (b byCurrency) sorted() []CurrencyKPIs {
	out := make([]CurrencyKPIs, 0, len(b))
	for _, kc := range b {
		out = append(out, *kc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// readSales reads each month's sales of the window by currency: the
// invoices, and the invoices less the credit notes (net).
func readSales(ctx context.Context, q Querier, args []any, each func(currency string, month time.Time, invoiced, net money.Amount)) error {
	rows, err := q.Query(ctx, kpiSalesSQL, args...)
	if err != nil {
		return fmt.Errorf("kpi sales: %w", err)
	}
	var c string
	var m time.Time
	var invoiced, net money.Amount
	_, err = pgx.ForEachRow(rows, []any{&c, &m, &invoiced, &net}, func() error {
		each(c, m, invoiced, net)
		return nil
	})
	if err != nil {
		return fmt.Errorf("kpi sales: %w", err)
	}
	return nil
}

// dmp fills each currency's DMP: over the invoices whose allocations
// counting on the as-of date settle them in full, the last one falling in
// the window.
func dmp(ctx context.Context, q Querier, args []any, each func(currency string, dmp float64, invoices int)) error {
	rows, err := q.Query(ctx, kpiDMPSQL, args...)
	if err != nil {
		return fmt.Errorf("kpi dmp: %w", err)
	}
	var c string
	var weighted, amount float64
	var n int
	_, err = pgx.ForEachRow(rows, []any{&c, &weighted, &amount, &n}, func() error {
		each(c, weighted/amount, n)
		return nil
	})
	if err != nil {
		return fmt.Errorf("kpi dmp: %w", err)
	}
	return nil
}

// cohorts fills each currency's recovery triangle: invoices (not credit
// notes) issued in the window, and what payments, imported settlements and
// snapshot closures collected of them by the end of each month. Credit notes
// and write-offs reduce what is due but are not collections.
func cohorts(ctx context.Context, q Querier, o KPIOptions, start time.Time, args []any, get func(string) *CurrencyKPIs) error {
	rows, err := q.Query(ctx, kpiCohortsSQL, args...)
	if err != nil {
		return fmt.Errorf("kpi cohorts: %w", err)
	}
	defer rows.Close()
	monthIndex := func(m time.Time) int { return (m.Year()-start.Year())*12 + int(m.Month()-start.Month()) }
	last := monthIndex(clock.Date(o.AsOf.Year(), o.AsOf.Month(), 1))
	type acc struct {
		invoiced  money.Amount
		collected []money.Amount // by month offset k
	}
	data := map[string]map[time.Time]*acc{}
	for rows.Next() {
		var c string
		var cohort time.Time
		var month *time.Time
		var amount money.Amount
		if err := rows.Scan(&c, &cohort, &month, &amount); err != nil {
			return fmt.Errorf("kpi cohorts: %w", err)
		}
		if data[c] == nil {
			data[c] = map[time.Time]*acc{}
		}
		a := data[c][cohort]
		if a == nil {
			a = &acc{collected: make([]money.Amount, last-monthIndex(cohort)+1)}
			data[c][cohort] = a
		}
		if month == nil {
			a.invoiced = amount
			continue
		}
		kk := max(0, monthIndex(*month)-monthIndex(cohort)) // paid before issue: counts at once
		a.collected[kk] += amount
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("kpi cohorts: %w", err)
	}
	for c, byMonth := range data {
		var months []time.Time
		for m := range byMonth {
			months = append(months, m)
		}
		sort.Slice(months, func(i, j int) bool { return months[i].Before(months[j]) })
		kc := get(c)
		for _, m := range months {
			a := byMonth[m]
			co := Cohort{Month: m, Invoiced: a.invoiced}
			var cum money.Amount
			for _, x := range a.collected {
				cum += x
				co.Collected = append(co.Collected, RateOf(int64(cum), int64(a.invoiced)))
			}
			kc.Cohorts = append(kc.Cohorts, co)
		}
	}
	return nil
}

// creditUsage compares each client's net balance in its entity's currency
// with its credit limit and keeps those at 50% or more.
func creditUsage(ctx context.Context, q Querier, rep Report, get func(string) *CurrencyKPIs) error {
	rows, err := q.Query(ctx, creditLimitsSQL)
	if err != nil {
		return fmt.Errorf("kpi credit limits: %w", err)
	}
	type key struct{ code, currency string }
	limits := map[key]money.Amount{}
	for rows.Next() {
		var k key
		var limit money.Amount
		if err := rows.Scan(&k.code, &k.currency, &limit); err != nil {
			rows.Close()
			return fmt.Errorf("kpi credit limits: %w", err)
		}
		limits[k] = limit
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("kpi credit limits: %w", err)
	}
	for _, s := range rep.Sections {
		for _, r := range s.Rows {
			limit, ok := limits[key{r.ClientCode, s.Currency}]
			if !ok {
				continue
			}
			u := CreditUsage{ClientCode: r.ClientCode, ClientName: r.ClientName, Currency: s.Currency,
				Outstanding: r.Total(), Limit: limit}
			if limit == 0 {
				u.Usage = Rate(math.MaxInt32)
			} else {
				u.Usage = RateOf(int64(r.Total()), int64(limit))
			}
			for _, band := range []int{100, 90, 70, 50} {
				if u.Usage >= Rate(band*100) {
					u.Band = band
					break
				}
			}
			if u.Band == 0 || r.Total() <= 0 {
				continue
			}
			kc := get(s.Currency)
			kc.CreditUsage = append(kc.CreditUsage, u)
		}
	}
	for _, s := range rep.Sections {
		kc := get(s.Currency)
		sort.SliceStable(kc.CreditUsage, func(i, j int) bool { return kc.CreditUsage[i].Usage > kc.CreditUsage[j].Usage })
	}
	return nil
}
