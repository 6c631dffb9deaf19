package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// sendDay is a business day on which every seeded invoice reaches level 1.
const sendDay = "2025-09-12"

// sendPool is the SMTP connection count of both sides of the comparison.
const sendPool = 2

// measureSend seeds one overdue invoice for each of N clients, then times
// `relance sweep --as-of D --drain` (River jobs, templates, penalties, SMTP)
// to a local sink, against a bare go-mail loop sending N messages of the same
// size over the same number of reused connections.
func (b *bench) measureSend(ctx context.Context) ([]row, error) {
	n := b.opts.sendMessages
	sink, err := startSink()
	if err != nil {
		return nil, err
	}
	defer sink.close()

	var relanceTimes, bareTimes, sweepTimes, idleTimes []time.Duration
	var cpus []drainCPU
	for i := range b.opts.runs {
		url, err := b.createDB(ctx, "bench_send", true)
		if err != nil {
			return nil, err
		}
		if _, err := b.psqlCmd(ctx, url, fmt.Sprintf(`
			INSERT INTO client (entity_id, code, name, emails)
			SELECT 1, 'C' || lpad(g::text, 6, '0'), 'Client ' || g || ' SARL', ARRAY['compta' || g || '@client.example']
			FROM generate_series(1, %d) g;
			INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, amount_excl_vat)
			SELECT 1, id, 'FA' || lpad(id::text, 7, '0'), DATE '%s' - 33, DATE '%s' - 3, 120000 + id, 100000
			FROM client;
			ANALYZE;`, n, sendDay, sendDay)); err != nil {
			return nil, err
		}
		env := []string{
			"RELANCE_MAIL_TRANSPORT=smtp",
			"RELANCE_MAIL_FROM=Service relances <relances@bench.example>",
			"RELANCE_MAIL_SMTP_HOST=127.0.0.1",
			fmt.Sprintf("RELANCE_MAIL_SMTP_PORT=%d", sink.port()),
			"RELANCE_MAIL_SMTP_TLS=none",
			fmt.Sprintf("RELANCE_MAIL_SMTP_POOL_SIZE=%d", sendPool),
		}
		// The day's sweep decides the N reminders and enqueues their jobs;
		// the drain that follows replays it (nothing new) and sends them.
		sw, err := b.relanceCmd(ctx, url, env, "sweep", "--as-of", sendDay)
		if err != nil {
			return nil, err
		}
		before := sink.received.Load()
		args := []string{"sweep", "--as-of", sendDay, "--drain"}
		if b.opts.sendProfile != "" {
			args = append([]string{"--cpuprofile", b.opts.sendProfile}, args...)
		}
		before0, err := markCPU(filepath.Join(b.cluster.Dir, "data"))
		if err != nil {
			return nil, err
		}
		d, cpu, err := b.relanceCmdCPU(ctx, nil, url, env, args...)
		if err != nil {
			return nil, err
		}
		after, err := markCPU(filepath.Join(b.cluster.Dir, "data"))
		if err != nil {
			return nil, err
		}
		cpus = append(cpus, drainCPU{relance: cpu, postgres: after.postgres - before0.postgres, sink: after.self - before0.self})
		sweepTimes = append(sweepTimes, sw)
		// The same command once everything is sent: its fixed cost (the
		// process, River's start, the replayed sweep, the report).
		idle, err := b.relanceCmd(ctx, url, env, "sweep", "--as-of", sendDay, "--drain")
		if err != nil {
			return nil, err
		}
		idleTimes = append(idleTimes, idle)
		if got := sink.received.Load() - before; got != int64(n) {
			return nil, fmt.Errorf("relance sent %d messages to the sink, want %d: %w", got, n, errSinkShort)
		}
		relanceTimes = append(relanceTimes, d)

		before = sink.received.Load()
		bare, err := bareGoMail(ctx, sink.port(), n)
		if err != nil {
			return nil, err
		}
		if got := sink.received.Load() - before; got != int64(n) {
			return nil, fmt.Errorf("go-mail loop sent %d messages, want %d: %w", got, n, errSinkShort)
		}
		bareTimes = append(bareTimes, bare)
		c := cpus[len(cpus)-1]
		b.log.Info("send run", "run", i+1, "sweep", sw.Round(time.Millisecond), "relance drain", d.Round(time.Millisecond), "go-mail", bare.Round(time.Millisecond),
			"cpu relance", c.relance.Round(time.Millisecond), "cpu postgres", c.postgres.Round(time.Millisecond), "cpu sink", c.sink.Round(time.Millisecond))
	}
	relanceRate := float64(n) / median(relanceTimes).Seconds()
	bareRate := float64(n) / median(bareTimes).Seconds()
	r := row{
		What:     "send pipeline: `relance sweep --drain` (River + re-check + templates + SMTP)",
		Scale:    fmt.Sprintf("%d reminders, %d SMTP connections", n, sendPool),
		Measured: fmt.Sprintf("%.0f msgs/s (%s)", relanceRate, median(relanceTimes).Round(time.Millisecond)),
		Baseline: fmt.Sprintf("%.0f msgs/s (%s) bare go-mail loop", bareRate, median(bareTimes).Round(time.Millisecond)),
		Ratio:    relanceRate / bareRate,
		Target:   "≥ 0.50 × baseline msgs/s",
		Note: fmt.Sprintf("the day's sweep decides the %d reminders and enqueues their jobs first (%s, not counted); relance's time is the drain's process: its start, a replay of the sweep that finds nothing new, River's polling, and the sends. "+
			"Of it, %s is fixed: the same command run again once everything is sent (%.0f%%). "+
			"CPU a message during the drain (medians): relance %s, PostgreSQL %s, the sink %s; on 2 cores the drain is bound by their sum.",
			n, median(sweepTimes).Round(time.Millisecond), median(idleTimes).Round(time.Millisecond),
			100*median(idleTimes).Seconds()/median(relanceTimes).Seconds(),
			perMessage(medianOf(cpus, func(c drainCPU) time.Duration { return c.relance }), n),
			perMessage(medianOf(cpus, func(c drainCPU) time.Duration { return c.postgres }), n),
			perMessage(medianOf(cpus, func(c drainCPU) time.Duration { return c.sink }), n)),
	}
	r.RatioText = fmt.Sprintf("%.2f", r.Ratio)
	r.Met = r.Ratio >= 0.5
	return []row{r}, nil
}

// bareGoMail sends n messages of a reminder's size through sendPool
// connections, each reused for all its messages: the physical floor of
// sending through go-mail to the same sink.
func bareGoMail(ctx context.Context, port, n int) (time.Duration, error) {
	body := strings.Repeat("Nous vous prions de bien vouloir régler la facture ci-dessous. ", 40)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, sendPool)
	for w := range sendPool {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := gomail.NewClient("127.0.0.1", gomail.WithPort(port), gomail.WithTLSPolicy(gomail.NoTLS))
			if err != nil {
				errs <- err
				return
			}
			if err := c.DialWithContext(ctx); err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for i := w; i < n; i += sendPool {
				m := gomail.NewMsg()
				if err := m.From("relances@bench.example"); err != nil {
					errs <- err
					return
				}
				if err := m.To(fmt.Sprintf("compta%d@client.example", i)); err != nil {
					errs <- err
					return
				}
				m.Subject(fmt.Sprintf("Relance facture FA%07d", i))
				m.SetBodyString(gomail.TypeTextPlain, body)
				m.AddAlternativeString(gomail.TypeTextHTML, "<p>"+body+"</p>")
				if err := c.Send(m); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return 0, err
	}
	return time.Since(start), nil
}
