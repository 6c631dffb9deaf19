package dashboard

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/ledger"
)

// messagesOf returns the invoices the upcoming page lists in the messages
// of day (YYYY-MM-DD).
func (e *env) messagesOf(day string) []string {
	e.t.Helper()
	page := e.get(viewer, "/upcoming")
	return attrs(between(between(page, `id="day-`+day+`"`, "</section>"), `class="messages"`, "</table>"), "data-invoice")
}

// TestDisputeFormRecordsWhoAndHoldsTheInvoice opens a dispute through the
// client page's form as a manager: the ledger records it with web:alice
// and the reason, the page says so, the timeline shows who opened it, and
// the upcoming page no longer sends the invoice (held back: dispute).
func TestDisputeFormRecordsWhoAndHoldsTheInvoice(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	if got := e.messagesOf("2025-09-12"); !slices.Contains(got, "F-201") {
		t.Fatalf("before the dispute, today's messages list %v, want F-201 among them", got)
	}
	page := e.get(manager, "/clients/C02?invoice=F-201")
	if !strings.Contains(between(page, `id="dispute"`, "</form>"), `<option selected>F-201</option>`) {
		t.Errorf("the dispute form does not preselect F-201")
	}
	r := e.do(http.MethodPost, manager, "/clients/C02/disputes?entity=default", url.Values{"csrf_token": {csrfToken},
		"invoice": {"F-201"}, "reason": {"quality"}, "note": {"carrosserie rayée"}, "confirm": {"yes"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/clients/C02?done=dispute_opened&entity=default" {
		t.Fatalf("POST: %d %s %s", r.status, r.header.Get("Location"), r.body)
	}
	ds, err := e.store().Disputes(context.Background(), ledger.DisputeFilter{Invoice: "F-201"})
	if err != nil || len(ds) != 1 {
		t.Fatalf("disputes %v, %v", ds, err)
	}
	if d := ds[0]; d.OpenedBy != "web:alice" || d.Reason != "quality" || d.Note != "carrosserie rayée" || !d.Opened.Equal(today) {
		t.Errorf("dispute %+v, want opened today by web:alice for quality", d)
	}
	page = e.get(manager, r.header.Get("Location"))
	if !strings.Contains(page, `<p class="flash" role="status">Litige ouvert.</p>`) {
		t.Errorf("no flash after the redirect")
	}
	ev := between(page, `data-kind="dispute_opened"`, "</li>")
	if !strings.Contains(ev, "web:alice") || !strings.Contains(ev, "F-201") {
		t.Errorf("the timeline's dispute says %q, want web:alice and F-201", ev)
	}
	if !strings.Contains(between(page, `data-invoice="F-201"`, "</tr>"), "en litige") {
		t.Errorf("the open item F-201 is not shown in dispute")
	}
	if got := e.messagesOf("2025-09-12"); slices.Contains(got, "F-201") || !slices.Contains(got, "F-202") {
		t.Errorf("after the dispute, today's messages list %v: want F-202 and not F-201", got)
	}
	held := e.get(viewer, "/upcoming")
	if !strings.Contains(held, `data-held="F-201" data-reason="dispute"`) {
		t.Errorf("the upcoming page does not say F-201 is held for the dispute")
	}
}

// TestEachActionWritesTheLedger posts each form of the client page and
// finds its effect, with the manager as actor.
func TestEachActionWritesTheLedger(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	ctx := context.Background()
	if _, err := e.db.Exec(ctx, `UPDATE client SET email_bouncing_since = '2025-09-10', email_bounce_reason = '550 no such user' WHERE code = 'C03'`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store().OpenDispute(ctx, act("cli:tester"), disputeOn("F-601")); err != nil {
		t.Fatal(err)
	}
	post := func(path string, form url.Values) {
		t.Helper()
		form.Set("csrf_token", csrfToken)
		form.Set("confirm", "yes")
		if r := e.do(http.MethodPost, manager, path, form); r.status != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %s", path, r.status, between(r.body, `class="error"`, "</p>"))
		}
	}
	post("/clients/C06/disputes/resolve", url.Values{"invoice": {"F-601"}, "outcome": {"avoir émis"}})
	post("/clients/C01/promises", url.Values{"invoice": {"F-102"}, "pay_by": {"2025-09-30"}, "amount": {"950,00"}})
	post("/clients/C04/pause", url.Values{"reason": {"négociation en cours"}, "until": {"2025-10-15"}})
	post("/clients/C05/insolvency", url.Values{"kind": {"redressement"}, "opened": {"2025-09-01"}, "published": {"2025-09-05"}})
	post("/clients/C03/bounce/clear", url.Values{"reason": {"nouvelle adresse confirmée"}})
	post("/clients/C04/resume", url.Values{"reason": {"accord trouvé"}})

	// Each client's timeline has the action, recorded by web:alice with
	// the reason typed.
	for _, w := range []struct{ client, kind, reason string }{
		{"C06", "dispute_resolved", ""},
		{"C01", "promise_made", ""},
		{"C04", "client_paused", "négociation en cours"},
		{"C04", "client_resumed", "accord trouvé"},
		{"C05", "insolvency_recorded", ""},
		{"C03", "bounce_cleared", "nouvelle adresse confirmée"},
	} {
		entries, err := e.store().Timeline(ctx, w.client, paris)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(entries, func(en ledger.TimelineEntry) bool { return en.Kind == w.kind })
		if i < 0 {
			t.Errorf("%s's timeline has no %s", w.client, w.kind)
			continue
		}
		if en := entries[i]; en.Actor != "web:alice" || !strings.Contains(en.Reason, w.reason) {
			t.Errorf("%s %s by %q for %q, want web:alice for %q", w.client, w.kind, en.Actor, en.Reason, w.reason)
		}
	}
	c, err := e.store().Client(ctx, "C03", today)
	if err != nil || !c.BouncingSince.IsZero() {
		t.Errorf("C03 still bouncing (%v)", err)
	}
}

// TestActionsAreConfirmedAndChecked refuses a form without its
// confirmation or a field, and shows the ledger's refusal; nothing is
// recorded.
func TestActionsAreConfirmedAndChecked(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	for _, c := range []struct {
		name   string
		path   string
		form   url.Values
		status int
		says   string
	}{
		{"no confirmation", "/clients/C02/disputes", url.Values{"invoice": {"F-201"}, "reason": {"quality"}}, 422, "confirm"},
		{"no reason", "/clients/C02/pause", url.Values{"confirm": {"yes"}}, 422, "reason"},
		{"a bad date", "/clients/C02/promises", url.Values{"confirm": {"yes"}, "pay_by": {"30/09/2025"}}, 422, "pay_by"},
		{"an unknown reason code", "/clients/C02/disputes", url.Values{"invoice": {"F-201"}, "reason": {"weather"}, "confirm": {"yes"}}, 409, "weather"},
		{"another client's invoice", "/clients/C02/disputes", url.Values{"invoice": {"F-101"}, "reason": {"quality"}, "confirm": {"yes"}}, 409, "F-101"},
		{"a paid invoice", "/clients/C07/disputes", url.Values{"invoice": {"F-702"}, "reason": {"quality"}, "confirm": {"yes"}}, 409, "F-702"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.form.Set("csrf_token", csrfToken)
			r := e.do(http.MethodPost, manager, c.path, c.form)
			if r.status != c.status || !strings.Contains(between(r.body, `class="error"`, "</p>"), c.says) {
				t.Errorf("%d %q, want %d naming %s", r.status, between(r.body, `class="error"`, "</p>"), c.status, c.says)
			}
		})
	}
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM event WHERE actor = 'web:alice'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d events by web:alice (%v), want none", n, err)
	}
}

// TestViewersSeeNoActions: a viewer's client page has no form and no
// action button (the header's logout form aside), its POSTs are 403 and
// nothing is written; without a principal every route is 401.
func TestViewersSeeNoActions(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	page := e.get(viewer, "/clients/C02")
	if strings.Count(page, `method="post"`) != 1 || !strings.Contains(between(page, "<header", "</header>"), `action="/logout"`) {
		t.Errorf("a viewer's page has forms other than the logout in its header:\n%s", page)
	}
	page = between(page, "<main>", "</main>")
	for _, no := range []string{`method="post"`, "csrf_token", "Ouvrir un litige", `class="button`} {
		if strings.Contains(page, no) {
			t.Errorf("a viewer's page shows %s", no)
		}
	}
	mgr := between(e.get(manager, "/clients/C02"), "<main>", "</main>")
	if forms, tokens := strings.Count(mgr, `method="post"`), strings.Count(mgr, `name="csrf_token" value="`+csrfToken+`"`); forms < 4 || forms != tokens {
		t.Errorf("a manager's page has %d forms and %d CSRF tokens", forms, tokens)
	}
	for _, rt := range Routes() {
		path := strings.NewReplacer("{code}", "C02", "{file}", "style.css", "{$}", "").Replace(rt.Pattern)
		form := url.Values{"csrf_token": {csrfToken}, "confirm": {"yes"}, "invoice": {"F-201"}, "reason": {"quality"}, "outcome": {"x"},
			"pay_by": {"2025-09-30"}, "kind": {"sauvegarde"}, "opened": {"2025-09-01"}}
		if rt.Method == http.MethodGet {
			form = nil
		}
		if r := e.do(rt.Method, "", path, form); r.status != http.StatusUnauthorized {
			t.Errorf("%s %s anonymous: %d, want 401", rt.Method, path, r.status)
		}
		want := http.StatusOK
		if rt.Level > 1 {
			want = http.StatusForbidden
		}
		if r := e.do(rt.Method, viewer, path, form); r.status != want {
			t.Errorf("%s %s as viewer: %d, want %d", rt.Method, path, r.status, want)
		}
	}
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM event WHERE actor LIKE 'web:%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d events by the web (%v), want none", n, err)
	}
}

// TestClientPageShowsTheClient checks the open items' days late, buckets
// and next steps, the credit-limit usage and the payer score.
func TestClientPageShowsTheClient(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	ctx := context.Background()
	if _, err := e.db.Exec(ctx, `UPDATE client SET credit_limit = 500000, payer_score = 'D' WHERE code = 'C02'`); err != nil {
		t.Fatal(err)
	}
	page := e.get(manager, "/clients/C02")
	for _, c := range []struct{ row, want string }{
		{`data-invoice="F-201"`, "<td class=\"num\">73</td><td>61–90 j</td><td>relance 1 · 12/09/2025</td>"},
		{`data-invoice="F-202"`, "<td class=\"num\">42</td><td>31–60 j</td><td>relance 1 · 12/09/2025</td>"},
	} {
		if row := between(page, c.row, "</tr>"); !strings.Contains(row, c.want) {
			t.Errorf("%s: %s\nwant %s", c.row, row, c.want)
		}
	}
	for _, want := range []string{"5\u202f000,00\u00a0€", "76,81\u00a0%", `class="score score-D">D<`, "compta@petit.example"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if r := e.do(http.MethodGet, manager, "/clients/NOPE", nil); r.status != http.StatusNotFound {
		t.Errorf("an unknown client: %d, want 404", r.status)
	}
}

// TestClientPageSaysWhatTheDaysSweepDid: once the day's sweep has sent an
// invoice's step (or is sending it), the page says so and shows the step
// after it, rather than the same step due today.
func TestClientPageSaysWhatTheDaysSweepDid(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	ctx := context.Background()
	if _, err := e.db.Exec(ctx, `
INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, due_on, status, sent_at)
SELECT i.id, i.client_id, 'standard', 'level1', 1, 'email', $1, s.status, CASE s.status WHEN 'sent' THEN now() END
FROM invoice i JOIN (VALUES ('F-201', 'sent'), ('F-202', 'pending')) AS s(number, status) ON s.number = i.number`, today); err != nil {
		t.Fatal(err)
	}
	page := e.get(manager, "/clients/C02")
	next := regexp.MustCompile(`<td>relance 1 · ([^;<]+) ; puis relance 2 · (\d\d/\d\d/\d{4})</td>`)
	for _, c := range []struct{ invoice, state string }{{"F-201", "envoyée aujourd'hui"}, {"F-202", "en cours d'envoi"}} {
		row := between(page, `data-invoice="`+c.invoice+`"`, "</tr>")
		m := next.FindStringSubmatch(html.UnescapeString(row))
		if m == nil || m[1] != c.state {
			t.Errorf("%s: %s\nwant relance 1 · %s ; puis relance 2 · a later day", c.invoice, row, c.state)
			continue
		}
		if then, err := time.Parse("02/01/2006", m[2]); err != nil || !then.After(today) {
			t.Errorf("%s: relance 2 on %s, want after %s", c.invoice, m[2], today.Format("02/01/2006"))
		}
	}
	// Looking back at a past day, the page says on which day it was sent.
	if _, err := e.db.Exec(ctx, `UPDATE reminder SET due_on = $1 WHERE step_id = 'level1'`, today.AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	row := html.UnescapeString(between(e.get(manager, "/clients/C02?as_of=2025-09-11"), `data-invoice="F-201"`, "</tr>"))
	if !strings.Contains(row, "relance 1 · envoyée le 11/09/2025 ; puis relance 2 · ") {
		t.Errorf("F-201 on 11/09: %s\nwant relance 1 · envoyée le 11/09/2025 ; puis relance 2", row)
	}
}
