package dashboard

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/relance/relance/internal/preview"
	"github.com/relance/relance/worker"
)

// countingPreviews counts the previews the dashboard runs.
func countingPreviews(n *atomic.Int64) func(*Options) {
	return func(o *Options) {
		o.runPreview = func(ctx context.Context, db preview.DB, opts preview.Options) (*preview.Report, error) {
			n.Add(1)
			return preview.Run(ctx, db, opts)
		}
	}
}

// TestUpcomingPageKeepsItsForecastUntilAWrite: the page's second load and
// its link showing a day in full reuse the preview of the first; a write
// rolled back changes nothing; a dispute opened through the ledger makes
// the next load preview again and hold the invoice; so does a pause written
// by a transaction that began before that preview read the ledger and
// committed after it (the preview did not see it: its snapshot did not).
func TestUpcomingPageKeepsItsForecastUntilAWrite(t *testing.T) {
	var runs atomic.Int64
	e := newEnvWith(t, countingPreviews(&runs), "testdata/portfolio.csv")
	ctx := context.Background()
	load := func(path string, want int64, why string) string {
		t.Helper()
		page := e.get(viewer, path)
		if got := runs.Load(); got != want {
			t.Fatalf("%s: %d previews run, want %d", why, got, want)
		}
		return page
	}
	first := load("/upcoming", 1, "the first load")
	if !strings.Contains(first, "Prévisions calculées le ") {
		t.Error("the page does not say when its forecast was computed")
	}
	load("/upcoming", 1, "the second load")
	load("/upcoming?full=2025-09-12", 1, "the day in full")

	tx, err := e.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE client SET name = name || ' (renamed)'`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	load("/upcoming", 1, "after a write rolled back")

	today := attrs(between(between(first, `id="day-2025-09-12"`, "</section>"), `class="messages"`, "</table>"), "data-invoice")
	if len(today) < 2 {
		t.Fatalf("today's messages name %v: the fixture sends too little", today)
	}
	if _, err := e.store().OpenDispute(ctx, act("web:alice"), disputeOn(today[0])); err != nil {
		t.Fatal(err)
	}
	page := load("/upcoming", 2, "after a dispute opened")
	if !strings.Contains(page, `data-held="`+today[0]+`" data-reason="dispute"`) {
		t.Errorf("%s, disputed, is not held for its dispute", today[0])
	}

	// A pause begun before the next preview reads the ledger, committed
	// after it ran.
	writer, err := e.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if _, err := writer.Exec(ctx, `INSERT INTO pause (client_id, kind, from_on, reason, created_by)
		SELECT client_id, 'pause', '2025-09-01', 'congés', 'web:alice' FROM invoice WHERE number = $1`, today[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store().OpenDispute(ctx, act("web:alice"), disputeOn(today[len(today)-1])); err != nil {
		t.Fatal(err)
	}
	page = load("/upcoming", 3, "after another dispute, the pause not yet committed")
	if strings.Contains(page, `data-held="`+today[1]+`" data-reason="paused"`) {
		t.Fatal("the preview saw a pause not yet committed")
	}
	if err := writer.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	page = load("/upcoming", 4, "after the pause committed")
	if !strings.Contains(page, `data-held="`+today[1]+`" data-reason="paused"`) {
		t.Errorf("%s's client, paused, is not held for its pause", today[1])
	}
	load("/upcoming", 4, "nothing written since")
}

// TestUpcomingLoadsAtOnceRunOnePreview: loads of the same entity and day
// that need a preview while one runs wait for it rather than run their own.
func TestUpcomingLoadsAtOnceRunOnePreview(t *testing.T) {
	var runs, asked atomic.Int64
	release := make(chan struct{})
	f := &forecasts{
		run: func(context.Context, preview.Options) (*preview.Report, error) {
			runs.Add(1)
			<-release
			return &preview.Report{Entity: "default"}, nil
		},
		changed: func(context.Context, *preview.Report) (bool, error) { return false, nil },
		now:     func() time.Time { return today },
	}
	const loads = 8
	var wg sync.WaitGroup
	reports := make([]*forecast, loads)
	for i := range loads {
		wg.Go(func() {
			asked.Add(1)
			rep, err := f.get(context.Background(), preview.Options{Entity: "default", From: today})
			if err != nil {
				t.Error(err)
			}
			reports[i] = rep
		})
	}
	for asked.Load() < loads {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // lets the loads reach the preview: not a measure
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Errorf("%d loads at once ran %d previews, want 1", loads, n)
	}
	for _, rep := range reports[1:] {
		if rep != reports[0] {
			t.Error("the loads were not given the same report")
		}
	}
}

// TestUpcomingKeepsAFewForecasts: past keptForecasts keys, the least
// recently used report is forgotten.
func TestUpcomingKeepsAFewForecasts(t *testing.T) {
	var runs atomic.Int64
	f := &forecasts{
		run: func(_ context.Context, o preview.Options) (*preview.Report, error) {
			runs.Add(1)
			return &preview.Report{Entity: o.Entity}, nil
		},
		changed: func(context.Context, *preview.Report) (bool, error) { return false, nil },
		now:     func() time.Time { return today },
	}
	get := func(day int) {
		if _, err := f.get(context.Background(), preview.Options{Entity: "default", From: today.AddDate(0, 0, day)}); err != nil {
			t.Fatal(err)
		}
	}
	for day := range keptForecasts + 1 {
		get(day)
	}
	get(keptForecasts) // kept
	get(0)             // forgotten: the least recently used
	if n, want := runs.Load(), int64(keptForecasts+2); n != want || len(f.kept) != keptForecasts {
		t.Errorf("%d previews run, %d kept; want %d and %d", n, len(f.kept), want, keptForecasts)
	}
}

// heldSweeper is the engine's sweep that, once the first simulated day is
// swept, says so and waits to be released: the page's preview is then in
// the middle of its transaction.
type heldSweeper struct {
	preview.Sweeper
	once    sync.Once
	inside  chan struct{}
	release chan struct{}
}

func (s *heldSweeper) Run(ctx context.Context, tx pgx.Tx, jobs worker.JobInserter, day time.Time, opts worker.SweepOptions) (worker.SweepResult, error) {
	res, err := s.Sweeper.Run(ctx, tx, jobs, day, opts)
	s.once.Do(func() {
		close(s.inside)
		<-s.release
	})
	return res, err
}

// TestUpcomingPreviewDoesNotHoldTheDaemonsSweep: while the page's preview
// is in the middle of its days, the daemon's sweep of the day runs to its
// commit in another session (bounded by a timeout, not measured).
func TestUpcomingPreviewDoesNotHoldTheDaemonsSweep(t *testing.T) {
	held := &heldSweeper{inside: make(chan struct{}), release: make(chan struct{})}
	e := newEnvWith(t, func(o *Options) {
		held.Sweeper = o.Sweeper
		o.Sweeper = held
	}, "testdata/portfolio.csv")
	done := make(chan resp, 1)
	go func() { done <- e.do(http.MethodGet, viewer, "/upcoming", nil) }()
	<-held.inside
	released := false
	defer func() {
		if !released {
			close(held.release)
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tx, err := e.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // a no-op after Commit
	res, err := e.sweeper.Run(ctx, tx, noJobs{}, today, worker.SweepOptions{Now: true})
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		t.Fatalf("the daemon's sweep waited for the page's preview: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if len(res.Decisions) == 0 {
		t.Error("the sweep decided nothing: the test proves nothing")
	}
	released = true
	close(held.release)
	if r := <-done; r.status != http.StatusOK {
		t.Errorf("the page answered %d", r.status)
	}
}

// noJobs enqueues nothing: the test's sweep only records its decisions.
type noJobs struct{}

func (noJobs) InsertManyFastTx(context.Context, pgx.Tx, []river.InsertManyParams) (int, error) {
	return 0, nil
}

// TestUpcomingPageKeepsItsForecastWhileRemindersGoOut: a reminder going out
// on the forecast's first day (the send worker marking it sent) leaves the
// kept forecast as it is, and it is the one a new preview computes (the
// sandbox counted the reminder sent that day already); a reminder marked
// sent on an earlier day, or failed, makes the next load compute again.
func TestUpcomingPageKeepsItsForecastWhileRemindersGoOut(t *testing.T) {
	var runs atomic.Int64
	e := newEnvWith(t, countingPreviews(&runs), "testdata/portfolio.csv")
	ctx := context.Background()
	tx, err := e.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sweeper.Run(ctx, tx, noJobs{}, today, worker.SweepOptions{Now: true}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// And a level 1 decided yesterday, not out yet.
	if _, err := e.db.Exec(ctx, `INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status)
		SELECT id, client_id, 'standard', 'level1', 1, 'email', 'level1', $1, 'pending' FROM invoice
		WHERE id NOT IN (SELECT invoice_id FROM reminder) ORDER BY id LIMIT 2`, today.AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	// send marks a pending reminder decided today (or before today) sent
	// on a day, with the send worker's own statement, or failed.
	markSent, err := os.ReadFile("../../../worker/mark_sent.sql")
	if err != nil {
		t.Fatal(err)
	}
	send := func(before bool, on time.Time, status string) {
		t.Helper()
		var id int64
		if err := e.db.QueryRow(ctx, `SELECT min(id) FROM reminder
			WHERE status = 'pending' AND CASE WHEN $2 THEN due_on < $1 ELSE due_on = $1 END`, today, before).Scan(&id); err != nil {
			t.Fatalf("no reminder pending to mark %s (%v)", status, err)
		}
		if status == "sent" {
			_, err = e.db.Exec(ctx, string(markSent), []int64{id}, "<m@example.fr>", 1, on.Add(10*time.Hour), on)
		} else {
			_, err = e.db.Exec(ctx, `UPDATE reminder SET status = 'failed', drop_reason = 'refused' WHERE id = $1`, id)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	load := func(want int64, why string) string {
		t.Helper()
		page := e.get(viewer, "/upcoming")
		if got := runs.Load(); got != want {
			t.Fatalf("%s: %d previews run, want %d", why, got, want)
		}
		return page
	}
	load(1, "the first load")
	send(false, today, "sent")
	send(true, today, "sent")
	kept := load(1, "after reminders went out today")
	// A write, even of no row, is noted: the next load computes again.
	if _, err := e.db.Exec(ctx, `UPDATE client SET name = name WHERE false`); err != nil {
		t.Fatal(err)
	}
	if fresh := load(2, "after a write"); fresh != kept {
		t.Error("the forecast kept while reminders went out is not the one computed after")
	}
	send(true, today.AddDate(0, 0, -1), "sent")
	load(3, "after a reminder marked sent the day before")
	send(false, today, "failed")
	load(4, "after a reminder failed")
}

// TestUpcomingForecastOutlivesItsLoadNotTheServer: the page's preview,
// waiting in PostgreSQL on a table another session holds, runs on when the
// load that started it gives up (its tab closed: the next load gets it,
// from the same run), and ends when the server stops (Options.Base) while
// that session still holds the table.
func TestUpcomingForecastOutlivesItsLoadNotTheServer(t *testing.T) {
	base, stop := context.WithCancel(context.Background())
	defer stop()
	var runs atomic.Int64
	ended := make(chan error, 4)
	e := newEnvWith(t, func(o *Options) {
		o.Base = base
		o.runPreview = func(ctx context.Context, db preview.DB, opts preview.Options) (*preview.Report, error) {
			runs.Add(1)
			rep, err := preview.Run(ctx, db, opts)
			ended <- err
			return rep, err
		}
	}, "testdata/portfolio.csv")
	ctx := context.Background()
	hold := func() pgx.Tx {
		t.Helper()
		tx, err := e.db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The sandbox copies the provision review's wake days.
		if _, err := tx.Exec(ctx, `LOCK TABLE provision_review_wake IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	load := func(ctx context.Context, path string) chan resp {
		out := make(chan resp, 1)
		go func() {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.url+path, nil)
			if err != nil {
				out <- resp{status: -1, body: err.Error()}
				return
			}
			req.Header.Set("X-Test-User", viewer)
			res, err := noRedirect.Do(req)
			if err != nil {
				out <- resp{status: -1, body: err.Error()}
				return
			}
			defer res.Body.Close()
			out <- resp{status: res.StatusCode}
		}()
		return out
	}

	lock := hold()
	tab, closeTab := context.WithCancel(ctx)
	first := load(tab, "/upcoming")
	waitForPreviewOnLock(t, e)
	closeTab()
	if r := <-first; r.status != -1 {
		t.Fatalf("the closed tab's load answered %d", r.status)
	}
	second := load(ctx, "/upcoming")
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if r := <-second; r.status != http.StatusOK || runs.Load() != 1 {
		t.Fatalf("after a closed tab, the next load answered %d with %d previews run: want 200 from the first", r.status, runs.Load())
	}
	if err := <-ended; err != nil {
		t.Fatal(err)
	}

	lock = hold()
	defer lock.Rollback(ctx) //nolint:errcheck // released at the end
	third := load(ctx, "/upcoming?as_of=2025-09-15")
	waitForPreviewOnLock(t, e)
	stop()
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the preview ended with %v, want cancelled", err)
		}
	case <-time.After(time.Minute): // a hang, not a measure
		t.Fatal("the preview runs on after the server stopped")
	}
	if r := <-third; r.status == http.StatusOK {
		t.Error("the load answered 200 from a cancelled preview")
	}
}

// waitForPreviewOnLock waits until a session of e's database waits on a
// lock in a sandbox's statement: the page's preview is in PostgreSQL.
func waitForPreviewOnLock(t *testing.T, e *env) {
	t.Helper()
	for range 1200 {
		var n int
		if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%sandbox%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the page's preview never waited on the lock")
}
