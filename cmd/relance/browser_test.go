package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/browsertest"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/pgtest"
)

// browserDaemon is `relance serve` on a fresh database holding the
// example portfolio (examples/: 40 clients, their invoices and payments,
// imported by the CLI through the ledger as of 12/09/2025, the daemon's
// day), with an admin, a manager and a viewer added by the CLI, for the
// browser tests.
func browserDaemon(t *testing.T) (d *servedDaemon, env []string, passwords map[string]string) {
	t.Helper()
	env = []string{"DATABASE_URL=" + pgtest.URL(t), "RELANCE_SERVER_PASSWORD=s3cret", "RELANCE_MAIL_DIR=" + t.TempDir(),
		"RELANCE_SERVER_SHUTDOWN_TIMEOUT=5s", "RELANCE_MAIL_FROM=compta@durand.example"}
	must(t, env, "import", "invoices", "../../examples/portefeuille.csv")
	must(t, env, "import", "payments", "../../examples/paiements.csv")
	passwords = map[string]string{}
	for _, u := range []struct{ email, role string }{
		{"admin@durand.example", "admin"}, {"manager@durand.example", "manager"}, {"viewer@durand.example", "viewer"},
	} {
		// No password on standard input: one is generated and printed once.
		passwords[u.email] = strings.TrimSpace(must(t, env, "user", "add", u.email, "--role", u.role))
		if len(passwords[u.email]) < 20 {
			t.Fatalf("generated password %q", passwords[u.email])
		}
	}
	return startServe(t, env), env, passwords
}

// screenshot saves the page as name in $RELANCE_SCREENSHOTS when set (make
// screenshots: docs/screenshots), else in the test's temporary directory.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("RELANCE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	browsertest.Screenshot(t, ctx, filepath.Join(dir, name))
}

// browserDB opens the daemon's database, for the tests to check the pages
// against.
func browserDB(t *testing.T, env []string) *pgxpool.Pool {
	t.Helper()
	pool, err := database.Open(t.Context(), strings.TrimPrefix(env[0], "DATABASE_URL="))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TestBrowserLogInAndSeeTheSweepJob: in Chromium, a wrong password is
// refused, the right one lands on the dashboard's aged balance (the Secure
// session cookie is kept on http://127.0.0.1), and an admin opens River UI
// at /jobs/ and sees the day's sweep job, queued by `relance sweep
// --enqueue` and worked by the daemon.
func TestBrowserLogInAndSeeTheSweepJob(t *testing.T) {
	d, env, passwords := browserDaemon(t)
	ctx := browsertest.New(t)
	browsertest.Login(t, ctx, d.base, "admin@durand.example", "not the password")
	if text := browsertest.Text(t, ctx); !strings.Contains(text, "Adresse e-mail ou mot de passe incorrect") {
		t.Fatalf("wrong password: the page shows\n%s", text)
	}
	browsertest.Login(t, ctx, d.base, "admin@durand.example", passwords["admin@durand.example"])
	browsertest.WaitText(t, ctx, "Balance âgée")
	browsertest.WaitText(t, ctx, "admin@durand.example · admin")
	if n := browsertest.Count(t, ctx, `header a[href="/jobs/"]`); n != 1 {
		t.Errorf("the admin's header has %d links to River UI, want 1", n)
	}

	must(t, env, "sweep", "--enqueue", "--as-of", "2025-09-12")
	waitJob(t, env, "relance_sweep", "completed")
	// The day's sends follow the sweep in the list of completed jobs, more
	// than its first page holds: the sweep job is opened by its id.
	var id int64
	if err := browserDB(t, env).QueryRow(t.Context(), `SELECT max(id) FROM river_job WHERE kind = 'relance_sweep' AND state = 'completed'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	browsertest.Navigate(t, ctx, d.base+"/jobs/jobs?state=completed")
	browsertest.WaitText(t, ctx, "relance_send")
	browsertest.Navigate(t, ctx, fmt.Sprintf("%s/jobs/jobs/%d", d.base, id))
	browsertest.WaitText(t, ctx, "relance_sweep")
}

// TestBrowserAgedBalance: the aged balance's chart has one bar per bucket
// of `aging.buckets`, each as high as the bucket's total in the database
// (aging.ByClient, as `relance aging` computes it), the table's totals are
// those figures to the cent, for every client; clicking the 61–90 bar
// lands on exactly the clients with an amount in that bucket. The page is
// saved as aging.png (screenshot).
func TestBrowserAgedBalance(t *testing.T) {
	d, env, passwords := browserDaemon(t)
	rep, err := aging.ByClient(t.Context(), browserDB(t, env), aging.Options{AsOf: clock.Date(2025, 9, 12),
		Edges: []int{30, 60, 90, 120}, Entity: "default"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sections) != 1 {
		t.Fatalf("%d currencies in the example portfolio, want 1", len(rep.Sections))
	}
	want := rep.Sections[0]
	ctx := browsertest.New(t)
	browsertest.Login(t, ctx, d.base, "manager@durand.example", passwords["manager@durand.example"])
	browsertest.Navigate(t, ctx, d.base+"/aging")
	browsertest.WaitText(t, ctx, "Balance âgée")

	bars := browsertest.Eval[[][]string](t, ctx, `Array.from(document.querySelectorAll("svg.chart g.bar"),
		g => [g.dataset.bucket, g.dataset.amount])`)
	if len(bars) != len(rep.Buckets) {
		t.Fatalf("%d bars, want %d buckets: %v", len(bars), len(rep.Buckets), bars)
	}
	for i, b := range rep.Buckets {
		if got := bars[i]; got[0] != b.Name || got[1] != strconv.FormatInt(int64(want.Total.Buckets[i]), 10) {
			t.Errorf("bar %d: %s = %s cents, want %s = %d", i, got[0], got[1], b.Name, want.Total.Buckets[i])
		}
	}
	totals := browsertest.Eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#aging-table tfoot td[data-amount]"),
		td => td.dataset.amount)`)
	var wantTotals []string
	for _, a := range append(slices.Clone(want.Total.Buckets), want.Total.Overdue(), want.Total.Unapplied, want.Total.Total(), want.Total.Disputed) {
		wantTotals = append(wantTotals, strconv.FormatInt(int64(a), 10))
	}
	if !slices.Equal(totals, wantTotals) {
		t.Errorf("the table's totals (buckets, overdue, unapplied, total, disputed) in cents:\n%v\nwant\n%v", totals, wantTotals)
	}
	var all []string
	for _, r := range want.Rows {
		all = append(all, r.ClientCode)
	}
	if got := tableClients(t, ctx); !slices.Equal(sorted(got), sorted(all)) {
		t.Errorf("the table lists %v,\nwant every client %v", got, all)
	}
	// The page is French: "Total" and amounts as "12 345,67 €".
	if total := money.Format(want.Total.Total(), "EUR", "fr"); !strings.Contains(total, ",") ||
		!strings.Contains(browsertest.Text(t, ctx), total) {
		t.Errorf("the page does not show the total as %s", total)
	}
	tableFits(t, ctx)
	screenshot(t, ctx, "aging.png")

	i := slices.IndexFunc(rep.Buckets, func(b aging.Bucket) bool { return b.Name == "d61_90" })
	var in61 []string
	for _, r := range want.Rows {
		if r.Buckets[i] != 0 {
			in61 = append(in61, r.ClientCode)
		}
	}
	if len(in61) == 0 || len(in61) == len(all) {
		t.Fatalf("%d of %d clients in 61–90: the example portfolio no longer tells the bar's clients apart", len(in61), len(all))
	}
	browsertest.Follow(t, ctx, `svg.chart g.bar[data-bucket="d61_90"]`)
	if u := browsertest.Eval[string](t, ctx, `location.pathname + location.search`); !strings.Contains(u, "bucket=d61_90") {
		t.Errorf("the 61–90 bar led to %s", u)
	}
	browsertest.WaitText(t, ctx, "61")
	if got := tableClients(t, ctx); !slices.Equal(sorted(got), sorted(in61)) {
		t.Errorf("the 61–90 bar lists %v,\nwant exactly %v", got, in61)
	}
}

// tableFits checks that at 1280 px every column of the aged balance shows
// without scrolling the table sideways: the last ones (unapplied, total,
// late rate, disputed) are those a credit manager reads first.
func tableFits(t *testing.T, ctx context.Context) {
	t.Helper()
	if w := browsertest.Eval[[]int](t, ctx, `(() => { const s = document.querySelector("#aging-table").closest(".scroll");
		return [s.scrollWidth, s.clientWidth]; })()`); w[0] > w[1] {
		t.Errorf("the aged balance's table is %d px wide in a %d px frame: its last columns are hidden", w[0], w[1])
	}
}

// TestBrowserAgedBalanceOfAHolding: default holds filiale; its page marks
// it as a holding, and ticking "Avec ses filiales" adds filiale's client,
// each row naming its entity, the table still fitting the window.
func TestBrowserAgedBalanceOfAHolding(t *testing.T) {
	d, env, passwords := browserDaemon(t)
	if _, err := browserDB(t, env).Exec(t.Context(), subsidiarySQL); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t)
	browsertest.Login(t, ctx, d.base, "manager@durand.example", passwords["manager@durand.example"])
	browsertest.Navigate(t, ctx, d.base+"/aging")
	browsertest.WaitText(t, ctx, "tête de groupe")
	if slices.Contains(tableClients(t, ctx), "S001") {
		t.Errorf("the holding alone lists its subsidiary's client")
	}
	browsertest.Click(t, ctx, `input[name=subsidiaries]`)
	browsertest.Follow(t, ctx, `form.filters button[type=submit]`)
	browsertest.WaitText(t, ctx, "Sigma SARL")
	if !slices.Contains(tableClients(t, ctx), "S001") {
		t.Errorf("with its subsidiaries, the holding's table lists no S001")
	}
	tableFits(t, ctx)
	screenshot(t, ctx, "aging-holding.png")
}

// tableClients are the client codes of the aged balance's table, in order.
func tableClients(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return browsertest.Eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#aging-table tbody tr[data-client]"),
		tr => tr.dataset.client)`)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestBrowserDisputeFromTheClientPage: a manager takes an invoice the
// engine is to remind in the coming days (the upcoming page), opens its client, and opens a
// dispute on it through the page's form (the invoice chosen, the box
// ticked); the upcoming page then holds it back instead of reminding it,
// and the client's timeline shows the dispute opened by
// web:manager@durand.example. The client page is saved as client.png.
func TestBrowserDisputeFromTheClientPage(t *testing.T) {
	d, env, passwords := browserDaemon(t)
	ctx := browsertest.New(t)
	browsertest.Login(t, ctx, d.base, "manager@durand.example", passwords["manager@durand.example"])
	browsertest.Navigate(t, ctx, d.base+"/upcoming")
	browsertest.WaitText(t, ctx, "Aujourd'hui et à venir")
	// The daemon swept today when it started: today's messages are sent
	// already. Take an invoice a later day reminds, and today does not.
	pick := browsertest.Eval[[]string](t, ctx, `(() => {
		const today = new Set(Array.from(document.querySelectorAll("#day-2025-09-12 table.messages code[data-invoice]"), c => c.dataset.invoice));
		const c = Array.from(document.querySelectorAll("section.day:not(#day-2025-09-12) table.messages code[data-invoice]"))
			.find(c => !today.has(c.dataset.invoice));
		return c ? [c.closest("tr").dataset.client, c.dataset.invoice] : [];
	})()`)
	if len(pick) != 2 {
		t.Fatalf("the upcoming page reminds no invoice:\n%s", browsertest.Text(t, ctx))
	}
	client, invoice := pick[0], pick[1]
	reminded := `table.messages code[data-invoice="` + invoice + `"]`

	browsertest.Follow(t, ctx, `table.messages tr[data-client="`+client+`"] a`)
	browsertest.WaitText(t, ctx, client)
	browsertest.SetValue(t, ctx, `#dispute select[name=invoice]`, invoice)
	browsertest.Click(t, ctx, `#dispute input[name=confirm]`)
	browsertest.Follow(t, ctx, `#dispute button[type=submit]`)
	if n := browsertest.Count(t, ctx, `[role=alert]`); n != 0 {
		t.Fatalf("the dispute was refused:\n%s", browsertest.Text(t, ctx))
	}
	if n := browsertest.Count(t, ctx, `tr[data-invoice="`+invoice+`"] .tag.dispute`); n != 1 {
		t.Errorf("the open items do not show %s in dispute", invoice)
	}
	who := browsertest.Eval[[]string](t, ctx, `Array.from(document.querySelectorAll("ol.timeline li[data-kind]"),
		li => li.dataset.kind + " " + li.querySelector(".who").textContent + " " + li.querySelector(".what").textContent)`)
	if !slices.ContainsFunc(who, func(s string) bool {
		return strings.Contains(s, "dispute") && strings.Contains(s, "web:manager@durand.example") && strings.Contains(s, invoice)
	}) {
		t.Errorf("the timeline does not show the dispute on %s by web:manager@durand.example:\n%s", invoice, strings.Join(who, "\n"))
	}
	var actor string
	if err := browserDB(t, env).QueryRow(t.Context(), `SELECT e.actor FROM event e JOIN invoice i ON i.id = e.invoice_id
		WHERE e.kind = 'dispute_opened' AND i.number = $1`, invoice).Scan(&actor); err != nil || actor != "web:manager@durand.example" {
		t.Errorf("the dispute's event: %q %v, want web:manager@durand.example", actor, err)
	}
	screenshot(t, ctx, "client.png")

	browsertest.Navigate(t, ctx, d.base+"/upcoming")
	browsertest.WaitText(t, ctx, "Aujourd'hui et à venir")
	if n := browsertest.Count(t, ctx, reminded); n != 0 {
		t.Errorf("the upcoming page still reminds %s, in dispute", invoice)
	}
	if n := browsertest.Count(t, ctx, `tr[data-held="`+invoice+`"]`); n == 0 {
		t.Errorf("the upcoming page does not say %s is held back", invoice)
	}
}

// TestBrowserViewerHasNoActions: a viewer's client page has no action but
// logging out and no link to River UI, which answers 403; a forged POST to
// one of the page's actions (a dispute) is refused without the CSRF token,
// refused with it (the role), and refused when another site's form submits
// it, and nothing is recorded; the viewer stays logged in.
func TestBrowserViewerHasNoActions(t *testing.T) {
	d, env, passwords := browserDaemon(t)
	ctx := browsertest.New(t)
	browsertest.Login(t, ctx, d.base, "viewer@durand.example", passwords["viewer@durand.example"])
	browsertest.WaitText(t, ctx, "viewer@durand.example · viewer")
	browsertest.Navigate(t, ctx, d.base+"/clients/C000002")
	browsertest.WaitText(t, ctx, "Charpente Michel")
	if n := browsertest.Count(t, ctx, `main form, main button, main a.button`); n != 0 {
		t.Errorf("the viewer's client page has %d forms, buttons or action links", n)
	}
	if n := browsertest.Count(t, ctx, `form[method=post]`); n != 1 || browsertest.Count(t, ctx, `header form[action="/logout"]`) != 1 {
		t.Errorf("the viewer's page has %d forms that post, want 1 (log out)", n)
	}
	if n := browsertest.Count(t, ctx, `a[href^="/jobs"]`); n != 0 {
		t.Errorf("the viewer's page links to River UI")
	}
	browsertest.Navigate(t, ctx, d.base+"/jobs/")
	if text := browsertest.Text(t, ctx); !strings.Contains(text, "may not do this") {
		t.Errorf("River UI for a viewer shows\n%s", text)
	}
	if n := browsertest.Count(t, ctx, `button`); n != 0 {
		t.Errorf("River UI for a viewer has %d buttons", n)
	}
	// What a person does on the pages: events recorded as web:<user>, and
	// disputes. The daemon's own sweep and alert scan record events of
	// their own meanwhile (26 once, under load), which say nothing here.
	events := func() (n int) {
		if err := browserDB(t, env).QueryRow(t.Context(),
			`SELECT (SELECT count(*) FROM event WHERE actor LIKE 'web:%') + (SELECT count(*) FROM dispute)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := events()
	browsertest.Navigate(t, ctx, d.base+"/clients/C000002")
	const dispute = `"/clients/C000002/disputes", {method: "POST", body: new URLSearchParams({invoice: "FA0000004", reason: "quality", confirm: "yes"`
	if status := browsertest.Eval[int](t, ctx, `fetch(`+dispute+`})}).then(r => r.status)`); status != http.StatusForbidden {
		t.Errorf("a viewer's dispute without the CSRF token: %d, want 403", status)
	}
	withToken := `fetch(` + dispute + `, csrf_token: document.querySelector("input[name=csrf_token]").value})}).then(r => r.text().then(b => r.status + " " + b))`
	if got := browsertest.Eval[string](t, ctx, withToken); !strings.HasPrefix(got, "403 ") || !strings.Contains(got, "may not do this") {
		t.Errorf("a viewer's dispute with the CSRF token: %s, want 403 (the role)", got)
	}
	// Another origin (another port of 127.0.0.1: same site, so the Lax
	// cookie goes along) submits a dispute form to the daemon.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form id=f method=post action="%s/clients/C000002/disputes">`+
			`<input name=invoice value=FA0000004><input name=reason value=quality><input name=confirm value=yes></form><script>f.submit()</script>`, d.base)
	}))
	defer evil.Close()
	browsertest.Navigate(t, ctx, evil.URL)
	browsertest.WaitText(t, ctx, "cross-origin")
	if n := events(); n != before {
		t.Errorf("%d events recorded by the viewer's forged requests", n-before)
	}
	browsertest.Navigate(t, ctx, d.base+"/")
	browsertest.WaitText(t, ctx, "viewer@durand.example · viewer")
}

// waitJob waits until a job of kind reaches state.
func waitJob(t *testing.T, env []string, kind, state string) {
	t.Helper()
	pool, err := database.Open(t.Context(), strings.TrimPrefix(env[0], "DATABASE_URL="))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for range 600 {
		var n int
		if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = $1 AND state = $2`, kind, state).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no %s job reached %s", kind, state)
}

// TestBrowserKPIPage: a manager opens the KPIs, shortens the window to six
// months and takes the holding with its subsidiary through the page's form;
// the months shown follow, the newest month's receivables grow by the
// subsidiary's, and the monthly table fits the page at 1280 px.
func TestBrowserKPIPage(t *testing.T) {
	d, env, passwords := browserDaemon(t)
	if _, err := browserDB(t, env).Exec(t.Context(), subsidiarySQL); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t)
	browsertest.Login(t, ctx, d.base, "manager@durand.example", passwords["manager@durand.example"])
	browsertest.Navigate(t, ctx, d.base+"/kpi")
	browsertest.WaitText(t, ctx, "Indicateurs")
	months := func() []string {
		return browsertest.Eval[[]string](t, ctx, `Array.from(document.querySelectorAll("table.kpi tbody tr"), tr => tr.dataset.month)`)
	}
	receivables := func() int64 {
		r := browsertest.Eval[string](t, ctx, `document.querySelector("table.kpi tbody tr").dataset.receivables`)
		n, err := strconv.ParseInt(r, 10, 64)
		if err != nil {
			t.Fatalf("receivables %q: %v", r, err)
		}
		return n
	}
	if got := months(); len(got) != 12 {
		t.Errorf("%d months shown by default, want 12: %v", len(got), got)
	}
	alone := receivables()
	screenshot(t, ctx, "kpi.png")

	browsertest.SetValue(t, ctx, `select[name=months]`, "6")
	browsertest.Click(t, ctx, `input[name=subsidiaries]`)
	browsertest.Follow(t, ctx, `form.filters button[type=submit]`)
	browsertest.WaitText(t, ctx, "Indicateurs")
	if got := months(); len(got) != 6 {
		t.Errorf("%d months shown after choosing 6: %v", len(got), got)
	}
	if group := receivables(); group <= alone {
		t.Errorf("receivables with the subsidiary %d, want more than the holding's %d", group, alone)
	}
	if w := browsertest.Eval[[]int](t, ctx, `(() => { const s = document.querySelector("table.kpi").closest(".scroll");
		return [s.scrollWidth, s.clientWidth]; })()`); w[0] > w[1] {
		t.Errorf("the monthly table is %d px wide in a %d px frame", w[0], w[1])
	}
}
