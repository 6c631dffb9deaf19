package worker

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/mail/smtptest"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/templates"
)

// windowRecorder keeps every re-check → acceptance time.
type windowRecorder struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *windowRecorder) Sent(string, int)     {}
func (w *windowRecorder) Failed(string, int)   {}
func (w *windowRecorder) Dropped(string, int)  {}
func (w *windowRecorder) Refused(string)       {}
func (w *windowRecorder) SendQueuePaused(bool) {}
func (w *windowRecorder) RecheckToAccept(d time.Duration) {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
}

// BenchmarkRecheckToAccept measures the time between a send's re-check of
// its rows and the relay's acceptance — the window in which a payment
// committed meanwhile would not stop the message — with the relay answering
// every command in 10 ms, 16 send workers and 2 SMTP connections (the
// defaults) and a Bcc. Reported: the median,
// the 95th percentile and the worst, over 200 messages per iteration.
func BenchmarkRecheckToAccept(b *testing.B) {
	// The daemon's pool (database.max_conns 24): every send worker holds a
	// connection for its transaction.
	pool, err := database.OpenPool(context.Background(), pgtest.URL(b), 24)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	seedPortfolio(b, pool, 200, 1)
	srv := smtptest.Start(b)
	srv.SetLatency(10 * time.Millisecond)
	tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", PoolSize: 2, Timeout: 10 * time.Second}, clock.System{})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	set := standardPlan()
	tmpl, err := templates.Load("")
	if err != nil {
		b.Fatal(err)
	}
	rec := &windowRecorder{}
	sender := &SendWorker{Pool: pool, Plans: set, Templates: tmpl, Mail: tr, Counters: rec,
		Settings: MailSettings{From: "compta@durand.example", Bcc: "credit@durand.example", LettersDir: b.TempDir()},
		Clock:    clock.System{}, Location: time.UTC, Logger: slog.New(slog.DiscardHandler)}
	sweeper := &Sweeper{Plans: set, Calendars: testCalendars()}
	client, err := NewClient(ClientOptions{Pool: pool, Sweeper: sweeper, Sender: sender, SendConcurrency: 16, Work: true,
		FetchPollInterval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	if err := client.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer client.Stop(context.Background()) //nolint:errcheck
	day := d("2025-09-15")
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if _, err := pool.Exec(context.Background(), `DELETE FROM reminder`); err != nil {
			b.Fatal(err)
		}
		res := sweepDay(b, pool, sweeper, client, day)
		b.StartTimer()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		dr, err := Drain(ctx, pool, res.JobIDs, 20*time.Millisecond, nil)
		cancel()
		if err != nil || dr.Completed != len(res.JobIDs) {
			b.Fatalf("drain %+v %v", dr, err)
		}
	}
	b.StopTimer()
	ds := slices.Clone(rec.d)
	slices.Sort(ds)
	if len(ds) == 0 {
		b.Fatal("nothing measured")
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(ds[len(ds)/2]), "p50-ms")
	b.ReportMetric(ms(ds[len(ds)*95/100]), "p95-ms")
	b.ReportMetric(ms(ds[len(ds)-1]), "max-ms")
	b.ReportMetric(float64(len(ds))/float64(b.N), "msgs/op")
	fmt.Fprintf(b.Output(), "re-check → acceptance over %d messages: p50 %.1f ms, p95 %.1f ms, max %.1f ms\n",
		len(ds), ms(ds[len(ds)/2]), ms(ds[len(ds)*95/100]), ms(ds[len(ds)-1]))
}
