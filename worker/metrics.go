package worker

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts reminders by outcome for Prometheus (/metrics in serve).
type Metrics struct {
	sent, failed *prometheus.CounterVec
	dropped      *prometheus.CounterVec
	refused      *prometheus.CounterVec
	paused       prometheus.Gauge
	window       prometheus.Histogram
}

// NewMetrics registers relance_reminders_{sent,failed,dropped}_total,
// relance_relay_refusals_total, relance_send_queue_paused and
// relance_send_recheck_to_accept_seconds with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_reminders_sent_total", Help: "Reminder ledger rows sent, by channel.",
		}, []string{"channel"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_reminders_failed_total", Help: "Reminder ledger rows that failed for good (the client's address refused, a message that cannot be produced), by channel.",
		}, []string{"channel"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_reminders_dropped_total", Help: "Reminder ledger rows dropped at send time or returned to the sweep (job_discarded, job_cancelled, job_deleted), by reason.",
		}, []string{"reason"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_relay_refusals_total", Help: "Sends the relay refused for a reason of ours (5xx on connect, AUTH, MAIL FROM, DATA or our Bcc; TLS), by SMTP stage. No client is blamed for these.",
		}, []string{"stage"}),
		paused: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "relance_send_queue_paused", Help: "1 when this process paused the send queue after refusals of ours in a row (mail.pause_after).",
		}),
		window: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "relance_send_recheck_to_accept_seconds",
			Help:    "Time from the re-check of a message's ledger rows to the relay's acceptance of it: what a payment committed meanwhile can slip through.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
	}
	for _, c := range []prometheus.Collector{m.sent, m.failed, m.dropped, m.refused, m.paused, m.window} {
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

// Refused implements Counters.
func (m *Metrics) Refused(stage string) { m.refused.WithLabelValues(stage).Inc() }

// SendQueuePaused implements Counters.
func (m *Metrics) SendQueuePaused(paused bool) {
	if paused {
		m.paused.Set(1)
		return
	}
	m.paused.Set(0)
}

// RecheckToAccept implements Counters.
func (m *Metrics) RecheckToAccept(d time.Duration) { m.window.Observe(d.Seconds()) }
