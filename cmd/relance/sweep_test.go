package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/mail/smtptest"
	"github.com/relance/relance/internal/pgtest"
)

// seedSweep inserts two clients with overdue invoices into the database at url.
func seedSweep(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	pool, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	_, err = pool.Exec(ctx, `
		INSERT INTO client (entity_id, code, name, emails) VALUES (1, 'C1', 'Boulangerie Martin', '{compta@martin.example}'), (1, 'C2', 'Garage Petit', '{}');
		INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		SELECT 1, id, 'FA-' || code, '2025-07-01', '2025-08-01', 150000 FROM client;`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestSweepDrainWritesEmlAndIsIdempotent(t *testing.T) {
	url := pgtest.URL(t)
	seedSweep(t, url)
	outbox := t.TempDir()
	env := []string{"DATABASE_URL=" + url, "RELANCE_MAIL_DIR=" + outbox, "RELANCE_MAIL_FROM=Compta <compta@durand.example>"}
	out, stderr, err := runCLI(t, env, "sweep", "--as-of", "2025-09-02", "--drain")
	if err != nil {
		t.Fatalf("sweep: %v\n%s\n%s", err, out, stderr)
	}
	for _, want := range []string{"sweep 2025-09-02: 1 steps decided", "level1", "messages enqueued: 1", "reminders of 2025-09-02: sent: 1, failed: 0, dropped: 0, still waiting: 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d .eml files, want 1", len(files))
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("the .eml does not parse: %v", err)
	}
	if to := msg.Header.Get("To"); !strings.Contains(to, "compta@martin.example") {
		t.Errorf("To %q", to)
	}
	// The same day again: the ledger already holds it, nothing is sent.
	out, _, err = runCLI(t, env, "sweep", "--as-of", "2025-09-02", "--drain")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "messages enqueued: 0") {
		t.Errorf("second run enqueued messages:\n%s", out)
	}
	if files, _ := filepath.Glob(filepath.Join(outbox, "*.eml")); len(files) != 1 {
		t.Errorf("%d .eml files after the second run, want still 1", len(files))
	}
}

func TestSweepWithoutDrainLeavesJobsForTheDaemon(t *testing.T) {
	url := pgtest.URL(t)
	seedSweep(t, url)
	out, _, err := runCLI(t, []string{"DATABASE_URL=" + url, "RELANCE_MAIL_DIR=" + t.TempDir()}, "sweep", "--as-of", "2025-09-02")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "messages enqueued: 1") || strings.Contains(out, "reminders of") {
		t.Errorf("output:\n%s", out)
	}
}

// TestSweepFromCronPrunesThePreviewChanges: the upcoming page's change
// records (migration 00280) are pruned by the daemon's reconciliation; an
// installation that runs `relance sweep` from cron has no daemon, so its
// sweeps prune them, or every writing transaction would stay for good.
func TestSweepFromCronPrunesThePreviewChanges(t *testing.T) {
	url := pgtest.URL(t)
	seedSweep(t, url)
	pool, err := database.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(t.Context(), `INSERT INTO preview_change (xid, finished_at) VALUES ('3'::xid8, now() - interval '3 days')`); err != nil {
		t.Fatal(err)
	}
	if out, stderr, err := runCLI(t, []string{"DATABASE_URL=" + url, "RELANCE_MAIL_DIR=" + t.TempDir()}, "sweep", "--as-of", "2025-09-02"); err != nil {
		t.Fatalf("sweep: %v\n%s\n%s", err, out, stderr)
	}
	var old int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM preview_change WHERE xid = '3'::xid8`).Scan(&old); err != nil || old != 0 {
		t.Errorf("the record of a transaction over for three days is still there (%d rows, %v)", old, err)
	}
}

// TestSweepDrainFailsOnABounce drains through the SMTP transport to a real
// server that rejects the recipient: the command exits with status 1 and the
// address is marked.
func TestSweepDrainFailsOnABounce(t *testing.T) {
	url := pgtest.URL(t)
	seedSweep(t, url)
	srv := smtptest.Start(t)
	srv.RejectRecipient("compta@martin.example", 550)
	env := []string{"DATABASE_URL=" + url, "RELANCE_MAIL_TRANSPORT=smtp", "RELANCE_MAIL_SMTP_HOST=" + srv.Host,
		"RELANCE_MAIL_SMTP_PORT=" + strconv.Itoa(srv.Port), "RELANCE_MAIL_SMTP_TLS=none", "RELANCE_MAIL_FROM=compta@durand.example",
		"RELANCE_MAIL_DIR=" + t.TempDir()}
	out, _, err := runCLI(t, env, "sweep", "--as-of", "2025-09-02", "--drain")
	var exit exitError
	if !errors.As(err, &exit) || exit.code != 1 {
		t.Fatalf("err = %v, want exit status 1\n%s", err, out)
	}
	if !strings.Contains(out, "failed: 1") {
		t.Errorf("summary does not report the failure:\n%s", out)
	}
	pool, err := database.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var bouncing bool
	if err := pool.QueryRow(context.Background(), `SELECT email_bouncing_since IS NOT NULL FROM client WHERE code = 'C1'`).Scan(&bouncing); err != nil || !bouncing {
		t.Errorf("client not marked bouncing (%v)", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages accepted", n)
	}
}

// TestDemoImportsSweepsAndWritesMessages runs the demo without the daemon on
// the shipped example portfolio.
func TestDemoImportsSweepsAndWritesMessages(t *testing.T) {
	outbox := t.TempDir()
	env := []string{"DATABASE_URL=" + pgtest.URL(t), "RELANCE_MAIL_DIR=" + outbox}
	out, stderr, err := runCLI(t, env, "demo", "--no-serve", "--examples", "../../examples")
	if err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, out, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	letters, _ := filepath.Glob(filepath.Join(outbox, "letters", "*", "*.pdf"))
	// The summary counts messages: .eml files and letters, not the
	// invoices they remind of.
	if len(files) == 0 || len(letters) == 0 ||
		!strings.Contains(out, fmt.Sprintf("demo: %d emails and %d registered letters", len(files), len(letters))) {
		t.Errorf("%d .eml files, %d letters; output:\n%s", len(files), len(letters), out)
	}
	if strings.Contains(out, "failed:") || strings.Contains(out, "still waiting") {
		t.Errorf("some reminders failed or wait:\n%s", out)
	}
	// The alert scan ran once, on the demo's day, for the dashboard's
	// alerts page: the weekly sweeps left business days unswept.
	if !strings.Contains(out, "alerts: ") || !strings.Contains(out, "alert_sweep_missed ") {
		t.Errorf("the demo says no alert scan:\n%s", out)
	}
}

// TestDemoGeneratesAPortfolioWithDisputes runs the default demo path at a
// small scale: a generated portfolio, its payments and disputes, one sweep.
func TestDemoGeneratesAPortfolioWithDisputes(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	outbox := t.TempDir()
	env := []string{"DATABASE_URL=" + url, "RELANCE_MAIL_DIR=" + outbox}
	// Run as `make demo` runs: long after the demo's day. Each of its days
	// is swept and sent on a clock of that day, so the files exported on the
	// demo's day are fresh then and the messages are dated that day.
	out, err := runCLIAt(t, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), env,
		"demo", "--no-serve", "--clients", "60", "--invoices", "600", "--seed", "7", "--weeks", "1")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	emails, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	for _, f := range emails {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		date, err := msg.Header.Date()
		if day := date.Format(time.DateOnly); err != nil || (day != "2025-09-05" && day != "2025-09-12") {
			t.Errorf("%s is dated %v (%v), want a demo day (2025-09-05 or 2025-09-12)", filepath.Base(f), date, err)
			break
		}
	}
	pool, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var clients, invoices, disputes, sent int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM client), (SELECT count(*) FROM invoice),
		(SELECT count(*) FROM dispute), (SELECT count(*) FROM reminder WHERE status = 'sent')`).Scan(&clients, &invoices, &disputes, &sent); err != nil {
		t.Fatal(err)
	}
	if clients != 60 || invoices != 600 || disputes == 0 || sent == 0 {
		t.Errorf("clients %d (want 60), invoices %d (want 600), disputes %d, reminders sent %d\n%s", clients, invoices, disputes, sent, out)
	}
	// Its data is the export of 07:00 on the demo's day, not of the wall
	// clock's today: the dashboard's header says how old it is that day.
	var exported []time.Time
	rows, err := pool.Query(ctx, `SELECT as_of FROM data_freshness ORDER BY kind`)
	if err == nil {
		exported, err = pgx.CollectRows(rows, pgx.RowTo[time.Time])
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	want := time.Date(2025, 9, 12, 7, 0, 0, 0, paris)
	if err != nil || len(exported) != 2 || !exported[0].Equal(want) || !exported[1].Equal(want) {
		t.Errorf("the demo's data is as of %v (%v), want invoices and payments as of %v", exported, err, want)
	}
	// No disputed invoice was reminded once its dispute was open (the demo
	// sweeps the weeks before the as-of date too).
	var disputedSent int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM reminder r JOIN dispute d ON d.invoice_id = r.invoice_id
		WHERE r.status = 'sent' AND d.resolved_on IS NULL AND r.due_on >= d.opened_on`).Scan(&disputedSent); err != nil {
		t.Fatal(err)
	}
	if disputedSent != 0 {
		t.Errorf("%d reminders sent for disputed invoices", disputedSent)
	}
	// Recorded through the ledger, as the demo: the two imported files (one
	// event each), every dispute, two promises, a pause and an insolvency,
	// each with its event by actor "demo"; no message went to the paused or
	// insolvent client.
	var promises, pauses, insolvent, demoEvents, disputeEvents, heldSent int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(DISTINCT client_id) FROM promise), (SELECT count(*) FROM pause),
		(SELECT count(*) FROM client WHERE insolvency_opened_on IS NOT NULL),
		(SELECT count(*) FROM event WHERE actor = 'demo' AND kind NOT IN ('client_updated', 'entity_updated')), (SELECT count(*) FROM event WHERE kind = 'dispute_opened' AND actor = 'demo'),
		(SELECT count(*) FROM reminder r JOIN client c ON c.id = r.client_id
		  WHERE r.status = 'sent' AND (r.due_on >= c.insolvency_opened_on OR EXISTS (SELECT 1 FROM pause p WHERE p.client_id = c.id AND r.due_on >= p.from_on)))`).
		Scan(&promises, &pauses, &insolvent, &demoEvents, &disputeEvents, &heldSent); err != nil {
		t.Fatal(err)
	}
	if promises != 2 || pauses != 1 || insolvent != 1 || disputeEvents != disputes || demoEvents != disputes+6 || heldSent != 0 {
		t.Errorf("promises on %d clients (want 2), pauses %d (1), insolvent %d (1), dispute events %d (%d), demo events %d (%d), sent to held clients %d\n%s",
			promises, pauses, insolvent, disputeEvents, disputes, demoEvents, disputes+6, heldSent, out)
	}
	if files, _ := filepath.Glob(filepath.Join(outbox, "*.eml")); len(files) == 0 {
		t.Error("no .eml written")
	}
}

// TestSweepEnqueueHandsTheDayToTheDaemon queues the day's sweep for `serve`
// without deciding anything here, and only once.
func TestSweepEnqueueHandsTheDayToTheDaemon(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	seedSweep(t, url)
	env := []string{"DATABASE_URL=" + url}
	out, _, err := runCLI(t, env, "sweep", "--as-of", "2025-09-02", "--enqueue")
	if err != nil || !strings.Contains(out, "sweep of 2025-09-02 enqueued as job") {
		t.Fatalf("first enqueue: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, env, "sweep", "--as-of", "2025-09-02", "--enqueue")
	if err != nil || !strings.Contains(out, "already queued or done") {
		t.Fatalf("second enqueue: %v\n%s", err, out)
	}
	pool, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var jobs, reminders int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM river_job WHERE kind = 'relance_sweep' AND args->>'day' = '2025-09-02'),
		(SELECT count(*) FROM reminder)`).Scan(&jobs, &reminders); err != nil {
		t.Fatal(err)
	}
	if jobs != 1 || reminders != 0 {
		t.Errorf("sweep jobs = %d (want 1), reminders decided here = %d (want 0)", jobs, reminders)
	}
	if _, _, err := runCLI(t, env, "sweep", "--enqueue", "--drain"); err == nil {
		t.Error("--enqueue with --drain accepted")
	}
}

// TestSweepDrainWorksOffWhatAnEarlierRunLeft (issue 10, defect 4): a drain
// interrupted after its sweep committed leaves the day's jobs behind. The
// next `sweep --drain` used to say "messages enqueued: 0", exit 0 and send
// nothing. It now works every job of the day, reports what was sent, and
// exits non-zero while anything is still waiting (here: the relay down
// longer than every retry).
func TestSweepDrainWorksOffWhatAnEarlierRunLeft(t *testing.T) {
	url := pgtest.URL(t)
	seedSweep(t, url)
	srv := smtptest.Start(t)
	env := []string{"DATABASE_URL=" + url, "RELANCE_MAIL_TRANSPORT=smtp", "RELANCE_MAIL_SMTP_HOST=" + srv.Host,
		"RELANCE_MAIL_SMTP_PORT=" + strconv.Itoa(srv.Port), "RELANCE_MAIL_SMTP_TLS=none", "RELANCE_MAIL_FROM=compta@durand.example",
		"RELANCE_MAIL_DIR=" + t.TempDir()}
	// The interrupted run: its sweep committed, its jobs never worked.
	if _, _, err := runCLI(t, env, "sweep", "--as-of", "2025-09-02"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, env, "sweep", "--as-of", "2025-09-02", "--drain")
	if err != nil {
		t.Fatalf("second drain: %v\n%s", err, out)
	}
	for _, want := range []string{"messages enqueued: 0", "send jobs of 2025-09-02 left by an earlier run, worked now: 1",
		"reminders of 2025-09-02: sent: 1, failed: 0, dropped: 0, still waiting: 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages delivered, want 1", n)
	}

	// The next day's level1 for a new invoice, with the relay down longer
	// than every retry of the drain: still waiting, exit status 1.
	pool, err := database.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(context.Background(), `INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		SELECT 1, id, 'FA-NEW', '2025-07-01', '2025-08-02', 90000 FROM client WHERE code = 'C1'`); err != nil {
		t.Fatal(err)
	}
	srv.Down()
	// The drain as `sweep --as-of 2025-09-03 --drain` runs it, with retries
	// 20 ms apart instead of the CLI's 1 s × attempt.
	out, err = drainFast(t, env, pool, d("2025-09-03"))
	var exit exitError
	if !errors.As(err, &exit) || exit.code != 1 || !strings.Contains(out, "still waiting: 1") ||
		!strings.Contains(out, "decided again on the next business day") {
		t.Errorf("drain with the relay down: %v, want exit status 1 and the reminder still waiting:\n%s", err, out)
	}
}

// drainFast runs the sweep of day with --drain's code, in-process, with
// retries 20 ms apart; it returns what sweep prints and its exit error.
func drainFast(t *testing.T, env []string, pool *pgxpool.Pool, day time.Time) (string, error) {
	t.Helper()
	var out bytes.Buffer
	a := &app{environment: environment{stdout: &out, stderr: io.Discard, env: env,
		clock: clock.Fixed(day.Add(10 * time.Hour))}}
	cfg, err := a.config()
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	sum, err := a.sweepOnce(t.Context(), cfg, pool, logger, day, sweepRun{now: true, drain: true,
		retry: func(int) time.Duration { return 20 * time.Millisecond }, poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sum.print(&out)
	return out.String(), sum.exit()
}

func d(s string) time.Time {
	t, err := clock.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}
