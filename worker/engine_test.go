package worker

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime"
	netmail "net/mail"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/mail/smtptest"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/templates"
)

// simClock is a clock the simulation moves from day to day.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// harness is the whole engine on one database and one SMTP server.
type harness struct {
	t       *testing.T
	pool    *pgxpool.Pool
	srv     *smtptest.Server
	clock   *simClock
	sweeper *Sweeper
	sender  *SendWorker
	client  *river.Client[pgx.Tx]
	letters string
}

func frCalendars(country string) (Calendar, error) { return calendar.For(country) }

func newHarness(t *testing.T, pool *pgxpool.Pool) *harness {
	t.Helper()
	return newHarnessWith(t, pool, nil)
}

// newHarnessWith is newHarness with setup applied to the engine before its
// River client starts (another plan, a letter provider).
func newHarnessWith(t *testing.T, pool *pgxpool.Pool, setup func(*harness)) *harness {
	t.Helper()
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, pool: pool, srv: smtptest.Start(t), clock: &simClock{}, letters: t.TempDir()}
	tr, err := mail.NewSMTP(mail.SMTPConfig{Host: h.srv.Host, Port: h.srv.Port, TLS: "none", PoolSize: 2, Timeout: 10 * time.Second}, h.clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	h.sweeper = &Sweeper{Plans: set, Calendars: frCalendars, Clock: h.clock}
	h.sender = &SendWorker{
		Pool: pool, Plans: set, Templates: tmpl, Mail: tr, Penalties: testPenalties(t),
		Settings: MailSettings{From: "Compta Durand <compta@durand.example>", Bcc: "credit@durand.example", LettersDir: h.letters},
		Clock:    h.clock, Location: time.UTC, Logger: slog.New(slog.DiscardHandler),
		Backoff: func(int) time.Duration { return 200 * time.Millisecond },
	}
	if setup != nil {
		setup(h)
	}
	h.client = h.startClient()
	return h
}

// startClient starts one more River client (a replica) working both queues.
func (h *harness) startClient() *river.Client[pgx.Tx] {
	h.t.Helper()
	c, err := NewClient(ClientOptions{Pool: h.pool, Sweeper: h.sweeper, Sender: h.sender, SendConcurrency: 2,
		Work: true, FetchPollInterval: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Stop(ctx)
	})
	return c
}

// sweep sweeps day at 10:00 on the simulated clock. The jobs it enqueues
// are dated by that clock too, as they would be in production (River dates
// them by the database's clock, which is the real one here), so that a send
// on a later simulated day knows how long it waited.
func (h *harness) sweep(day time.Time) SweepResult {
	h.t.Helper()
	h.clock.set(day.Add(10 * time.Hour))
	res := sweepDay(h.t, h.pool, h.sweeper, h.client, day)
	if _, err := h.pool.Exec(context.Background(), `UPDATE river_job SET created_at = $2 WHERE id = ANY ($1)`, res.JobIDs, h.clock.Now()); err != nil {
		h.t.Fatal(err)
	}
	return res
}

// day sweeps day and drains its jobs, as `relance sweep --as-of day --drain`.
func (h *harness) day(day time.Time) (SweepResult, DrainResult) {
	h.t.Helper()
	res := h.sweep(day)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dr, err := Drain(ctx, h.pool, res.JobIDs, 20*time.Millisecond, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return res, dr
}

// received is one message the SMTP server accepted, read back.
type received struct {
	day, client, step string
	to                []string
	subject, text     string
	messageID         string
}

func (r received) String() string { return r.day + " " + r.client + " " + r.step }

func readReceived(t *testing.T, srv *smtptest.Server) []received {
	t.Helper()
	var out []received
	for _, m := range srv.Messages() {
		msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatalf("message does not parse: %v", err)
		}
		dec := new(mime.WordDecoder)
		subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
		out = append(out, received{
			day: msg.Header.Get("X-Relance-Day"), client: msg.Header.Get("X-Relance-Client"),
			step: msg.Header.Get("X-Relance-Step"), to: m.To, subject: subject,
			text: textPart(t, m.Data), messageID: msg.Header.Get("Message-Id"),
		})
	}
	return out
}

// textPart returns the decoded text/plain part of raw.
func textPart(t *testing.T, raw []byte) string {
	t.Helper()
	text, err := smtptest.TextPart(raw)
	if err != nil {
		t.Fatalf("message body: %v", err)
	}
	return text
}

// TestEngine150Days steps a small French portfolio through 150 consecutive
// days (sweep + drain per day, real FR holidays, real SMTP over TCP) and
// checks every message by hand: client, day, step, invoices, penalties from
// level 3, registered letters, provisions; a payment mid-way stops an
// invoice, a dispute pauses one.
func TestEngine150Days(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	client := func(code, locale string) int64 {
		return f.id(`INSERT INTO client (entity_id, code, name, emails, locale, address_line1, postcode, city)
			VALUES (1, $1, 'Client '||$1, $2, $3, '1 rue de la Paix', '75002', 'Paris') RETURNING id`,
			code, []string{strings.ToLower(code) + "@client.example"}, locale)
	}
	a, b, c, dd, e, ff, g := client("A", "fr"), client("B", "fr"), client("C", "fr"), client("D", "en"), client("E", "fr"), client("F", "fr"), client("G", "fr")
	f.invoice(a, "FA-A1", "2025-08-16", "2025-09-15", 120000)
	f.invoice(a, "FA-A2", "2025-08-16", "2025-09-15", 60000)
	b1 := f.invoice(b, "FA-B1", "2025-08-23", "2025-09-22", 240000)
	c1 := f.invoice(c, "FA-C1", "2025-09-01", "2025-10-01", 300000)
	f.exec(`INSERT INTO dispute (invoice_id, reason, opened_on, resolved_on) VALUES ($1, 'livraison incomplète', '2025-10-05', '2025-11-20')`, c1)
	f.invoice(dd, "FA-D1", "2025-07-02", "2025-08-01", 1000000)
	f.invoice(e, "FA-E1", "2025-09-27", "2025-10-27", 50000)
	f.invoice(ff, "FA-F1", "2025-10-25", "2025-11-24", 80000)
	f.invoice(g, "FA-G1", "2025-09-16", "2025-10-16", 90000)
	_ = []int64{a, c, dd, e, ff, g}

	start := d("2025-09-01")
	provisions := map[string][]string{}
	decided := map[string][]string{}
	for n := range 150 {
		day := start.AddDate(0, 0, n)
		if formatDay(day) == "2025-10-10" { // B pays in full, entered that morning
			f.pay(b1, "2025-10-10", 240000)
		}
		res, dr := h.day(day)
		if dr.Failed() > 0 {
			t.Fatalf("%s: %d send jobs failed", formatDay(day), dr.Failed())
		}
		decided[formatDay(day)] = decisionsOf(res)
		for _, dec := range res.Decisions {
			if dec.Action == "provision" {
				provisions[formatDay(day)] = append(provisions[formatDay(day)], fmt.Sprint(dec.InvoiceID))
			}
		}
	}

	// Replaying past days afterwards (sweep --as-of D --drain) finds the
	// same decisions and sends nothing again.
	before := len(h.srv.Messages())
	for _, day := range []string{"2025-09-01", "2025-09-10", "2025-10-07", "2025-10-10", "2025-11-17", "2025-11-20", "2025-11-30", "2026-01-14"} {
		res, _ := h.day(d(day))
		if got := decisionsOf(res); !slices.Equal(got, decided[day]) || len(res.Jobs) != 0 {
			t.Errorf("replay of %s: %v (%d jobs), the day itself: %v", day, got, len(res.Jobs), decided[day])
		}
		if len(decided[day]) == 0 {
			t.Errorf("%s decided nothing: pick days with decisions", day)
		}
	}
	if after := len(h.srv.Messages()); after != before {
		t.Errorf("replays sent %d messages", after-before)
	}

	// Hand-checked (offsets of plans/default.yaml "standard", FR business
	// days; 11-11 and 12-25 are holidays):
	//  A (A1+A2, due Mon 09-15): pre_due Wed 09-10, level1 09-16, level2 09-30, level3 10-16, level4 10-30, level5 Sat 11-15 → Mon 11-17 (letter)
	//  B (due Mon 09-22, paid 10-10): pre_due 09-17, level1 09-23, level2 10-07, then nothing
	//  C (due Wed 10-01, disputed 10-05..11-19): pre_due 09-26, level1 10-02, level2 11-20, level3 11-27, level4 12-04, level5 12-11 (letter)
	//  D (due 08-01, first seen 09-01): level1 09-01, level2 09-08, level3 09-15, level4 09-22, level5 10-01 (letter)
	//  E (due Mon 10-27): pre_due 10-22, level1 10-28, level2 Tue 11-11 holiday → 11-12, level3 11-27, level4 12-11, level5 Sat 12-27 → 12-29 (letter)
	//  F (due Mon 11-24): pre_due 11-19, level1 11-25, level2 12-09, level3 Thu 12-25 holiday → 12-26, level4 01-08, level5 Sat 01-24 → 01-26 (letter)
	//  G (due Thu 10-16): pre_due Sat 10-11 → back to Fri 10-10, level1 10-17, level2 10-31, level3 Sun 11-16 → 11-17, level4 Sun 11-30 → 12-01, level5 12-16 (letter)
	wantEmails := []string{
		"2025-09-01 D level1", "2025-09-08 D level2", "2025-09-10 A pre_due", "2025-09-15 D level3",
		"2025-09-16 A level1", "2025-09-17 B pre_due", "2025-09-22 D level4", "2025-09-23 B level1",
		"2025-09-26 C pre_due", "2025-09-30 A level2", "2025-10-02 C level1", "2025-10-07 B level2",
		"2025-10-10 G pre_due", "2025-10-16 A level3", "2025-10-17 G level1", "2025-10-22 E pre_due",
		"2025-10-28 E level1", "2025-10-30 A level4", "2025-10-31 G level2", "2025-11-12 E level2",
		"2025-11-17 G level3", "2025-11-19 F pre_due", "2025-11-20 C level2", "2025-11-25 F level1",
		"2025-11-27 C level3", "2025-11-27 E level3", "2025-12-01 G level4", "2025-12-04 C level4",
		"2025-12-09 F level2", "2025-12-11 E level4", "2025-12-26 F level3", "2026-01-08 F level4",
		// Each formal notice (the letters below) also goes by email, its PDF attached.
		"2025-10-01 D level5", "2025-11-17 A level5", "2025-12-11 C level5", "2025-12-16 G level5",
		"2025-12-29 E level5", "2026-01-26 F level5",
	}
	slices.Sort(wantEmails)
	got := readReceived(t, h.srv)
	var gotKeys []string
	for _, r := range got {
		gotKeys = append(gotKeys, r.String())
	}
	sort.Strings(gotKeys)
	if !slices.Equal(gotKeys, wantEmails) {
		t.Errorf("emails received:\n%s\nwant:\n%s", strings.Join(gotKeys, "\n"), strings.Join(wantEmails, "\n"))
	}
	for _, r := range got {
		// Every message lists exactly its client's invoices of the day.
		wantInvoices := map[string][]string{"A": {"FA-A1", "FA-A2"}}[r.client]
		if wantInvoices == nil {
			wantInvoices = []string{"FA-" + r.client + "1"}
		}
		for _, n := range wantInvoices {
			if !strings.Contains(r.text, n) {
				t.Errorf("%s: invoice %s missing from the message:\n%s", r, n, r.text)
			}
		}
		if want := strings.ToLower(r.client) + "@client.example"; !slices.Contains(r.to, want) || !slices.Contains(r.to, "credit@durand.example") {
			t.Errorf("%s: envelope recipients %v, want %s and the Bcc", r, r.to, want)
		}
		level3up := r.step == "level3" || r.step == "level4" || r.step == "level5"
		hasPenalties := strings.Contains(r.text, "40,00\u00a0€") || strings.Contains(r.text, "€40.00")
		if level3up != hasPenalties {
			t.Errorf("%s: penalties shown = %v, want %v:\n%s", r, hasPenalties, level3up, r.text)
		}
	}
	// D's level 3 on 09-15: 10,000.00 due 08-01, 45 days at 12.15% (ECB
	// 2.15 + 10 for the second half of 2025): 10,000 × 12.15% × 45/365 = 149.79.
	for _, r := range got {
		if r.client == "D" && r.step == "level3" && !strings.Contains(r.text, "149.79") {
			t.Errorf("D level3: want interest €149.79 in:\n%s", r.text)
		}
	}

	// Registered letters (level 5) are written, one per client and day,
	// each with its manifest beside it.
	var letters []string
	_ = filepath.WalkDir(h.letters, func(p string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() && filepath.Ext(p) == ".pdf" {
			if data, err := os.ReadFile(p); err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
				t.Errorf("%s is not a PDF (%v)", p, err)
			}
			rel, _ := filepath.Rel(h.letters, p)
			letters = append(letters, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(letters)
	wantLetters := []string{"2025-10-01/D-level5.pdf", "2025-11-17/A-level5.pdf", "2025-12-11/C-level5.pdf",
		"2025-12-16/G-level5.pdf", "2025-12-29/E-level5.pdf", "2026-01-26/F-level5.pdf"}
	if !slices.Equal(letters, wantLetters) {
		t.Errorf("letters %v, want %v", letters, wantLetters)
	}
	// Provisions: D at due+121 = Sun 11-30 (actions fire any day), A1 and A2
	// at Wed 2026-01-14.
	var provDays []string
	for day, ids := range provisions {
		provDays = append(provDays, fmt.Sprintf("%s×%d", day, len(ids)))
	}
	sort.Strings(provDays)
	if want := []string{"2025-11-30×1", "2026-01-14×2"}; !slices.Equal(provDays, want) {
		t.Errorf("provisions %v, want %v", provDays, want)
	}
	var ledger, sent int
	if err := pool.QueryRow(t.Context(), `SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM reminder`).Scan(&ledger, &sent); err != nil {
		t.Fatal(err)
	}
	// 32 emails (A's list two invoices each: +5) + 6 letters (+1 for A) + 3 provisions.
	if want := 32 + 5 + 6 + 1 + 3; ledger != want || sent != want {
		t.Errorf("ledger %d rows, %d sent; want %d, all sent", ledger, sent, want)
	}
}

func testPenalties(t *testing.T) PenaltyCalculator {
	t.Helper()
	rates, err := penalty.DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := penalty.NewChooser("", rates, "")
	if err != nil {
		t.Fatal(err)
	}
	return Penalties{Rules: rules}
}
