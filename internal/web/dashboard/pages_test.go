package dashboard

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/relance/relance/internal/preview"
	"github.com/relance/relance/internal/watch"
)

// TestUpcomingPageTotalsThePreview checks each day's totals against the
// preview the page runs (preview.Run, as `relance preview --days 8`).
func TestUpcomingPageTotalsThePreview(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	rep, err := preview.Run(context.Background(), e.db, preview.Options{Entity: "default", From: today, Days: 8,
		Sweeper: e.sweeper, Plans: e.set})
	if err != nil {
		t.Fatal(err)
	}
	page := e.get(viewer, "/upcoming")
	if got := attrs(between(page, `class="upcoming-totals"`, "</table>"), "data-day"); len(got) != 8 || got[0] != "2025-09-12" || got[7] != "2025-09-19" {
		t.Fatalf("days %v, want 2025-09-12 to 2025-09-19", got)
	}
	messages := 0
	for _, d := range rep.Days {
		row := between(page, `<tr data-day="`+d.Date+`">`, "</tr>")
		cells := strings.Split(row, "<td")
		if want := len(d.Messages); !strings.Contains(cells[2], ">"+itoa(want)+"<") {
			t.Errorf("%s: messages cell %q, want %d", d.Date, cells[2], want)
		}
		if held := cells[len(cells)-1]; !strings.Contains(held, ">"+itoa(len(d.Held))+"<") {
			t.Errorf("%s: held cell %q, want %d", d.Date, held, len(d.Held))
		}
		messages += len(d.Messages)
	}
	if messages == 0 {
		t.Fatal("the fixture sends nothing in a week: the test proves nothing")
	}
	// Today: seven first reminders (level 1), 22,040.50 in all.
	today := between(page, `<tr data-day="2025-09-12">`, "</tr>")
	for _, want := range []string{">7<", "22\u202f040,50\u00a0€"} {
		if !strings.Contains(today, want) {
			t.Errorf("today's totals %q lack %q", today, want)
		}
	}
	if !strings.Contains(page, "<th class=\"num\">Relance 1</th>") && !strings.Contains(page, "<th class=\"num\">Niveau 1</th>") {
		t.Errorf("no column for level 1")
	}
}

// TestAlertsPageListsWhatWatchRaised raises alerts as internal/watch does
// and finds them, newest first, filtered by kind.
func TestAlertsPageListsWhatWatchRaised(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	ctx := context.Background()
	var c02 int64
	if err := e.db.QueryRow(ctx, `SELECT id FROM client WHERE code = 'C02'`).Scan(&c02); err != nil {
		t.Fatal(err)
	}
	raise := func(a watch.Alert, key string, client int64) {
		t.Helper()
		if _, err := watch.Raise(ctx, e.db, a, key, client); err != nil {
			t.Fatal(err)
		}
	}
	raise(watch.Alert{Kind: watch.CreditLimit, Entity: "default", Day: today,
		Detail: map[string]any{"balance": 384050, "credit_limit": 400000, "threshold": 90, "currency": "EUR"}}, "C02/90", c02)
	raise(watch.Alert{Kind: watch.SweepMissed, Day: today.AddDate(0, 0, -1), Detail: map[string]any{"day": "2025-09-11"}}, "2025-09-11", 0)
	raise(watch.Alert{Kind: watch.DisputeOverdue, Entity: "default", Day: today, Detail: map[string]any{"invoice": "F-201", "days": 45}}, "F-201", c02)

	page := e.get(viewer, "/alerts")
	kinds := attrs(between(page, "<tbody>", "</tbody>"), "data-kind")
	if len(kinds) != 3 || kinds[0] != watch.DisputeOverdue {
		t.Errorf("alerts %v, want three, the dispute (last raised) first", kinds)
	}
	row := between(page, `data-kind="alert_credit_limit"`, "</tr>")
	for _, want := range []string{"Plafond d&#39;encours", `href="/clients/C02?entity=default"`, "96 % du plafond", "seuil 90 %"} {
		if !strings.Contains(row, want) {
			t.Errorf("the credit-limit alert %q lacks %q", row, want)
		}
	}
	only := attrs(between(e.get(viewer, "/alerts?kind=credit_limit"), "<tbody>", "</tbody>"), "data-kind")
	if !slices.Equal(only, []string{watch.CreditLimit}) {
		t.Errorf("?kind=credit_limit lists %v", only)
	}
	if r := e.do(http.MethodGet, viewer, "/alerts?kind=weather", nil); r.status != http.StatusBadRequest {
		t.Errorf("an unknown kind: %d, want 400", r.status)
	}
}

// TestKPIPageReadsOnly shows the KPIs month by month and the cohort heat
// map, and leaves the payer scores `relance kpi` would store unwritten.
func TestKPIPageReadsOnly(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	page := e.get(viewer, "/kpi?months=6")
	months := attrs(between(page, `data-currency="EUR"`, "</table>"), "data-month")
	if !slices.Equal(months, []string{"2025-09", "2025-08", "2025-07", "2025-06", "2025-05", "2025-04"}) {
		t.Errorf("months %v", months)
	}
	if cells := strings.Count(page, `class="cell"`); cells == 0 {
		t.Errorf("no cell in the cohort heat map")
	}
	// June's cohort: F-201 (3,200.00), F-601 (4,000.00) and F-702 (500.00,
	// paid in full on 12/09, month M+3): 500 of 7,700 is 6.49 %.
	if !strings.Contains(page, `data-month="2025-06" data-k="3" data-rate="649"`) {
		t.Errorf("June's cohort at M+3 is not 6.49%%: %v", regexpMust(`data-month="2025-06" data-k="\d" data-rate="\d+"`).FindAllString(page, -1))
	}
	var scored int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM client WHERE payer_score IS NOT NULL OR payer_score_at IS NOT NULL`).Scan(&scored); err != nil || scored != 0 {
		t.Errorf("%d clients scored by the page (%v), want none", scored, err)
	}
	if r := e.do(http.MethodGet, viewer, "/kpi?months=99", nil); r.status != http.StatusBadRequest {
		t.Errorf("months=99: %d, want 400", r.status)
	}
}

// TestLocale picks the language from ?lang= (kept in a cookie), then
// Accept-Language, then the entity's locale.
func TestLocale(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	for _, c := range []struct {
		name    string
		path    string
		headers []string
		want    string
	}{
		{"the entity's locale", "/", nil, `<html lang="fr">`},
		{"Accept-Language", "/", []string{"Accept-Language", "en-GB,en;q=0.9,fr;q=0.5"}, `<html lang="en">`},
		{"French preferred", "/", []string{"Accept-Language", "de-DE, fr;q=0.8, en;q=0.7"}, `<html lang="fr">`},
		{"?lang= over the header", "/?lang=en", []string{"Accept-Language", "fr"}, `<html lang="en">`},
		{"the cookie over the header", "/", []string{"Accept-Language", "fr", "Cookie", langCookie + "=en"}, `<html lang="en">`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(http.MethodGet, viewer, c.path, nil, c.headers...)
			if !strings.Contains(r.body, c.want) {
				t.Errorf("want %s", c.want)
			}
		})
	}
	r := e.do(http.MethodGet, viewer, "/?lang=en", nil)
	if ck := r.header.Get("Set-Cookie"); !strings.Contains(ck, langCookie+"=en") || !strings.Contains(ck, "HttpOnly") {
		t.Errorf("?lang=en sets %q", ck)
	}
}

// TestPagesMatchTheGoldenFiles renders the small fixture's pages in French
// and English.
func TestPagesMatchTheGoldenFiles(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	if _, err := e.store().OpenDispute(context.Background(), act("cli:tester"), disputeOn("F-601")); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr", "en"} {
		for _, p := range []struct{ name, path string }{
			{"aging", "/aging"},
			{"aging_61_90", "/aging?bucket=d61_90&sort=client&dir=asc"},
			{"client", "/clients/C06"},
			{"upcoming", "/upcoming"},
			{"kpi", "/kpi?months=3"},
		} {
			page := e.get(manager, p.path, "Cookie", langCookie+"="+lang)
			// The event times are when the test ran: the golden files
			// hold the day only.
			golden(t, p.name+"_"+lang+".html", stamp.ReplaceAllString(page, "<time>…</time>"))
		}
	}
}

// stamp is a time of day in a page: none today (pages show days and the
// data's as-of, both pinned), but one added must not make the golden files
// depend on the moment the test ran.
var stamp = regexpMust(`<time datetime="[^"]*T[^"]*">[^<]*</time>`)

// TestKPIPageFilters: the KPI page's form picks the entity, the window and
// the date; a holding is marked and offers "Avec ses filiales", whose
// receivables are the holding's and its subsidiary's.
func TestKPIPageFilters(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	if _, err := e.db.Exec(context.Background(), subsidiarySQL); err != nil {
		t.Fatal(err)
	}
	receivables := func(page string) string {
		t.Helper()
		r := attrs(between(page, `data-currency="EUR"`, "</tbody>"), "data-receivables")
		if len(r) != 3 {
			t.Fatalf("receivables of %d months, want 3: %v", len(r), r)
		}
		return r[0]
	}
	box := `name="subsidiaries"`
	alone := e.get(viewer, "/kpi?months=3")
	form := between(alone, `<form class="filters"`, "</form>")
	if !strings.Contains(form, box) || !strings.Contains(form, "Default entity (tête de groupe)") ||
		!strings.Contains(form, `<option value="3" selected>3 mois</option>`) || !strings.Contains(form, `name="as_of" value="2025-09-12"`) {
		t.Errorf("the form offers no subsidiaries box, window or date:\n%s", form)
	}
	if page := e.get(viewer, "/kpi?entity=filiale"); strings.Contains(page, box) {
		t.Errorf("an entity holding none offers its subsidiaries")
	}
	group := e.get(viewer, "/kpi?months=3&subsidiaries=include")
	if !strings.Contains(group, box+` value="include" checked`) {
		t.Errorf("the box is not ticked")
	}
	a, _ := strconv.ParseInt(receivables(alone), 10, 64)
	g, _ := strconv.ParseInt(receivables(group), 10, 64)
	if g != a+250000 {
		t.Errorf("receivables with the subsidiary %d, want the holding's %d and 2 500,00", g, a)
	}
	if page := e.get(viewer, "/kpi?months=9"); !strings.Contains(page, `<option value="9" selected>9 mois</option>`) {
		t.Errorf("a window asked by URL is not offered")
	}
}
