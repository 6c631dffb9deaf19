package worker

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts reminders by outcome for Prometheus (/metrics in serve).
type Metrics struct {
	sent, failed *prometheus.CounterVec
	dropped      *prometheus.CounterVec
}

// NewMetrics registers relance_reminders_{sent,failed,dropped}_total with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_reminders_sent_total", Help: "Reminder ledger rows sent, by channel.",
		}, []string{"channel"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_reminders_failed_total", Help: "Reminder ledger rows that failed permanently (bounces), by channel.",
		}, []string{"channel"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_reminders_dropped_total", Help: "Reminder ledger rows dropped at send time, by reason.",
		}, []string{"reason"}),
	}
	for _, c := range []prometheus.Collector{m.sent, m.failed, m.dropped} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Sent implements Counters.
func (m *Metrics) Sent(channel string, n int) { m.sent.WithLabelValues(channel).Add(float64(n)) }

// Failed implements Counters.
func (m *Metrics) Failed(channel string, n int) { m.failed.WithLabelValues(channel).Add(float64(n)) }

// Dropped implements Counters.
func (m *Metrics) Dropped(reason string, n int) { m.dropped.WithLabelValues(reason).Add(float64(n)) }
