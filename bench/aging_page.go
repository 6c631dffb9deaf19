package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/web"
	"github.com/relance/relance/internal/web/dashboard"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/worker"
)

// measureAgingPage times the dashboard's aged balance page (the chart, the
// totals and the first 50 clients; dashboard.New served on loopback in
// this process, as the daemon serves it) against `relance aging --format
// csv` of the same date, on the imported portfolio, in turn; and the KPI
// page beside them, for reference.
func (b *bench) measureAgingPage(ctx context.Context) ([]row, error) {
	if b.importedURL == "" {
		return nil, errors.New("the aging page needs the imported portfolio: run it with import")
	}
	pool, err := database.Open(ctx, b.importedURL)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	set, err := plans.Default()
	if err != nil {
		return nil, err
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, err
	}
	clk := clock.Fixed(time.Date(2025, 9, 12, 10, 0, 0, 0, paris))
	h, err := dashboard.New(dashboard.Options{DB: pool, Clock: clk, Location: paris, Locale: "fr",
		AgingEdges: []int{30, 60, 90, 120}, Plans: set,
		Sweeper: &worker.Sweeper{Plans: set, Clock: clk,
			Calendars: func(country string) (worker.Calendar, error) { return calendar.For(country) }},
		CSRFToken: func(*http.Request) string { return "" }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	viewer := web.Principal{Kind: web.KindUser, Name: "bench", Role: web.RoleViewer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(web.WithPrincipal(r.Context(), viewer)))
	}))
	defer srv.Close()

	var pageTimes, cliTimes, kpiTimes []time.Duration
	out := scratch(b, "aging-page.csv")
	for i := range b.opts.runs + 2 {
		measures := []func() error{
			func() error {
				d, err := b.getPage(ctx, srv.URL+"/aging?as_of="+asOf)
				pageTimes = append(pageTimes, d)
				return err
			},
			func() error {
				d, err := b.relanceCmd(ctx, b.importedURL, nil, "aging", "--as-of", asOf, "--format", "csv", "--output", out)
				cliTimes = append(cliTimes, d)
				return err
			},
		}
		if i%2 == 1 { // in turn, so that neither always runs second
			measures[0], measures[1] = measures[1], measures[0]
		}
		measures = append(measures, func() error {
			d, err := b.getPage(ctx, srv.URL+"/kpi?as_of="+asOf)
			kpiTimes = append(kpiTimes, d)
			return err
		})
		for _, m := range measures {
			if err := m(); err != nil {
				return nil, err
			}
		}
		b.log.Info("aging page run", "run", i+1, "page", pageTimes[i].Round(time.Millisecond), "cli", cliTimes[i].Round(time.Millisecond),
			"kpi page", kpiTimes[i].Round(time.Millisecond))
	}
	r := row{
		What:     "aging page (`GET /aging`, first 50 clients)",
		Scale:    fmt.Sprintf("%d invoices / %d clients", b.opts.invoices, b.opts.clients),
		Measured: median(pageTimes).Round(time.Millisecond).String(),
		Baseline: median(cliTimes).Round(time.Millisecond).String() + " `relance aging --format csv`",
		Ratio:    median(pageTimes).Seconds() / median(cliTimes).Seconds(),
		Target:   "≤ 2 × baseline",
	}
	r.RatioText = fmt.Sprintf("%.2f", r.Ratio)
	r.Met = r.Ratio <= 2
	kpi := row{
		What:      "KPI page (`GET /kpi`, 12 months)",
		Scale:     r.Scale,
		Measured:  median(kpiTimes).Round(time.Millisecond).String(),
		Baseline:  r.Baseline,
		Ratio:     median(kpiTimes).Seconds() / median(cliTimes).Seconds(),
		Target:    "— (for reference)",
		Reference: true,
		Note: "the page reads the 13 month ends' totals in one read of the ledger over their span (aging.Monthly), and the " +
			"window's monthly sales and billing cohorts (aging.Trend), where the baseline reads one aged balance.",
	}
	kpi.RatioText = fmt.Sprintf("%.2f", kpi.Ratio)
	return []row{r, kpi}, nil
}

// getPage times one GET of url, read to the end.
func (b *bench) getPage(ctx context.Context, url string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	d := time.Since(start)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %d %s", url, res.StatusCode, tail(string(body), 2000))
	}
	return d, err
}
