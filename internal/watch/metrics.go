package watch

import (
	"context"
	_ "embed"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/relance/relance/internal/clock"
)

var (
	//go:embed sql/alert_counts.sql
	alertCountsSQL string
	//go:embed sql/sends_waiting.sql
	sendsWaitingSQL string
)

// Collector exposes alerts and the data's age to Prometheus, read from the
// database at each scrape: alerts are raised by every process (imports,
// the API, each replica), so only the database knows them all.
//
//	relance_alerts_total{kind}            alerts ever raised
//	relance_data_age_seconds{entity,kind} age of the newest data
//	relance_data_stale{entity}            1 while the entity's sends wait
//	relance_sends_waiting                 send jobs available to run
//	relance_sends_oldest_wait_seconds     how long the oldest of them has waited
type Collector struct {
	DB     DB
	Clock  clock.Clock
	Policy Policy
	Logger *slog.Logger
}

var (
	alertsDesc = prometheus.NewDesc("relance_alerts_total", "Alerts raised (events alert_*), by kind.", []string{"kind"}, nil)
	ageDesc    = prometheus.NewDesc("relance_data_age_seconds",
		"Age of the newest data of each kind an entity has (the as-of of the batch that brought it).", []string{"entity", "kind"}, nil)
	staleDesc = prometheus.NewDesc("relance_data_stale",
		"1 while an entity's payment data is older than sweep.max_data_age: its sends wait.", []string{"entity"}, nil)
	waitingDesc = prometheus.NewDesc("relance_sends_waiting",
		"Send jobs available to run (not those held for stale data or until the send window).", nil, nil)
	oldestWaitDesc = prometheus.NewDesc("relance_sends_oldest_wait_seconds",
		"How long the oldest send job available to run has waited; 0 when none waits.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- alertsDesc
	ch <- ageDesc
	ch <- staleDesc
	ch <- waitingDesc
	ch <- oldestWaitDesc
}

// Collect implements prometheus.Collector. A database that does not answer
// within a few seconds leaves the metrics out of this scrape, logged.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts := map[string]int{}
	if err := count(ctx, c.DB, counts, alertCountsSQL); err != nil {
		c.warn("alert counts", err)
	}
	for _, k := range Kinds {
		ch <- prometheus.MustNewConstMetric(alertsDesc, prometheus.CounterValue, float64(counts[k]), k)
	}
	now := c.Clock.Now()
	var waiting int
	var oldest *time.Time
	if err := c.DB.QueryRow(ctx, sendsWaitingSQL).Scan(&waiting, &oldest); err != nil {
		c.warn("sends waiting", err)
	} else {
		wait := 0.0
		if oldest != nil {
			wait = max(0, now.Sub(*oldest).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(waitingDesc, prometheus.GaugeValue, float64(waiting))
		ch <- prometheus.MustNewConstMetric(oldestWaitDesc, prometheus.GaugeValue, wait)
	}
	all, err := Ages(ctx, c.DB, now, c.Policy)
	if err != nil {
		c.warn("data ages", err)
		return
	}
	for _, d := range all {
		for kind, at := range map[string]time.Time{"payments": d.Payments, "invoices": d.Invoices} {
			if !at.IsZero() {
				ch <- prometheus.MustNewConstMetric(ageDesc, prometheus.GaugeValue, now.Sub(at).Seconds(), d.Entity, kind)
			}
		}
		stale := 0.0
		if d.Stale {
			stale = 1
		}
		ch <- prometheus.MustNewConstMetric(staleDesc, prometheus.GaugeValue, stale, d.Entity)
	}
}

func (c *Collector) warn(what string, err error) {
	if c.Logger != nil {
		c.Logger.Warn("metrics: "+what, "err", err)
	}
}
