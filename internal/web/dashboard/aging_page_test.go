package dashboard

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/relance/relance/internal/aging"
)

// report is the aged balance internal/aging computes for the page's scope.
func (e *env) report(o aging.Options) aging.Report {
	e.t.Helper()
	o.Edges = edges
	if o.AsOf.IsZero() {
		o.AsOf = today
	}
	rep, err := aging.ByClient(context.Background(), e.db, o)
	if err != nil {
		e.t.Fatal(err)
	}
	return rep
}

func cents(t *testing.T, ss []string) []int64 {
	t.Helper()
	out := make([]int64, len(ss))
	for i, s := range ss {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		out[i] = v
	}
	return out
}

// TestAgingPageShowsTheAgedBalance checks, for each filter, the chart's
// bars and the table's totals against internal/aging's figures for the
// same scope.
func TestAgingPageShowsTheAgedBalance(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	ctx := context.Background()
	if _, err := e.store().OpenDispute(ctx, act("cli:tester"), disputeOn("F-601")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		query string
		opts  aging.Options
	}{
		{"default entity", "/", aging.Options{Entity: "default"}},
		{"every entity", "/aging?entity=all", aging.Options{}},
		{"disputes excluded", "/aging?disputes=exclude", aging.Options{Entity: "default", ExcludeDisputed: true}},
		{"a past date", "/aging?as_of=2025-08-01", aging.Options{Entity: "default", AsOf: today.AddDate(0, 0, -42)}},
		{"a profile no client has", "/aging?profile=standard", aging.Options{Entity: "default", Profile: "standard"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			page := e.get(manager, c.query)
			rep := e.report(c.opts)
			if len(rep.Sections) == 0 {
				if !strings.Contains(page, "Rien à afficher") || strings.Contains(page, `class="bar"`) {
					t.Errorf("an empty balance shows a chart or no word of it")
				}
				return
			}
			s := rep.Sections[0]
			var want []string
			for i, b := range rep.Buckets {
				want = append(want, fmt.Sprintf("%s=%d", b.Name, s.Total.Buckets[i]))
			}
			var got []string
			for i, b := range attrs(page, "data-bucket") {
				got = append(got, b+"="+attrs(page, "data-amount")[i])
			}
			if !slices.Equal(got, want) {
				t.Errorf("bars %v, want %v", got, want)
			}
			foot := between(page, `data-client="TOTAL"`, "</tr>")
			totals := cents(t, attrs(foot, "data-amount"))
			wantTotals := append(slices.Clone(s.Total.Buckets), s.Total.Overdue(), s.Total.Unapplied, s.Total.Total(), s.Total.Disputed)
			for i := range wantTotals {
				if totals[i] != int64(wantTotals[i]) {
					t.Errorf("total column %d = %d, want %d", i, totals[i], wantTotals[i])
				}
			}
			rows := attrs(between(page, `<tbody id="clients">`, "</tbody>"), "data-client")
			if len(rows) != len(s.Rows) {
				t.Errorf("%d rows, want %d", len(rows), len(s.Rows))
			}
		})
	}
}

// subsidiarySQL puts entity filiale under default, with one client owing
// 2 500,00.
const subsidiarySQL = `
INSERT INTO entity (code, name, parent_id) SELECT 'filiale', 'Filiale Sud SAS', id FROM entity WHERE code = 'default';
INSERT INTO client (entity_id, code, name) SELECT id, 'S001', 'Sigma SARL' FROM entity WHERE code = 'filiale';
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, currency, amount_incl_vat)
SELECT c.entity_id, c.id, 'S1', '2025-07-01', '2025-07-31', 'EUR', 250000 FROM client c WHERE c.code = 'S001'`

// TestAgingPageWithSubsidiaries: an entity that holds another is marked in
// the entity list and offers "Avec ses filiales", which adds the entities
// under it, each with its client rows: the totals are internal/aging's for
// that scope. An entity holding none offers no such box.
func TestAgingPageWithSubsidiaries(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	if _, err := e.db.Exec(context.Background(), subsidiarySQL); err != nil {
		t.Fatal(err)
	}
	box := `name="subsidiaries"`
	if page := e.get(manager, "/aging"); !strings.Contains(page, box) || !strings.Contains(page, "Default entity (tête de groupe)") ||
		strings.Contains(page, `data-client="S001"`) {
		t.Errorf("the holding's page offers no subsidiaries box, or shows its subsidiary's client:\n%s", between(page, "<form", "</form>"))
	}
	if page := e.get(manager, "/aging?entity=filiale"); strings.Contains(page, box) {
		t.Errorf("an entity holding none offers its subsidiaries")
	}
	page := e.get(manager, "/aging?subsidiaries=include")
	rep := e.report(aging.Options{Entity: "default", Subsidiaries: true})
	s := rep.Sections[0]
	if !strings.Contains(page, `data-client="S001"`) || !strings.Contains(page, box+` value="include" checked`) {
		t.Errorf("with its subsidiaries, the holding's page lists no S001 or unticks the box")
	}
	foot := between(page, `data-client="TOTAL"`, "</tr>")
	if got := cents(t, attrs(foot, "data-amount")); got[len(got)-2] != int64(s.Total.Total()) || s.Total.Total() != e.report(aging.Options{Entity: "default"}).Sections[0].Total.Total()+250000 {
		t.Errorf("total %d, want internal/aging's %d (the holding's and filiale's 2 500,00)", got[len(got)-2], s.Total.Total())
	}
	// Each entity's subtotal, in code order, is internal/aging's.
	if len(s.Subtotals) != 2 || !slices.Equal(attrs(page, "data-entity"), []string{"default", "filiale"}) {
		t.Fatalf("subtotals %v, want default's and filiale's (internal/aging: %d)", attrs(page, "data-entity"), len(s.Subtotals))
	}
	for _, sub := range s.Subtotals {
		got := cents(t, attrs(between(page, `data-entity="`+sub.EntityCode+`"`, "</tr>"), "data-amount"))
		want := append(slices.Clone(sub.Buckets), sub.Overdue(), sub.Unapplied, sub.Total(), sub.Disputed)
		for i := range want {
			if i >= len(got) || got[i] != int64(want[i]) {
				t.Errorf("%s's subtotal %v, want %v", sub.EntityCode, got, want)
				break
			}
		}
	}
	if page := e.get(manager, "/aging"); strings.Contains(page, `class="subtotal"`) {
		t.Errorf("one entity alone shows subtotals")
	}
}

// TestBucketLinkLandsOnItsClients follows each bar's link and finds
// exactly the clients aging.Report.ByBucket puts in that bucket.
func TestBucketLinkLandsOnItsClients(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	page := e.get(manager, "/")
	rep := e.report(aging.Options{Entity: "default"})
	links := map[string]string{}
	for _, m := range barLink.FindAllStringSubmatch(page, -1) {
		links[m[2]] = html.UnescapeString(m[1])
	}
	for _, g := range rep.ByBucket() {
		t.Run(g.Bucket.Name, func(t *testing.T) {
			link, ok := links[g.Bucket.Name]
			if !ok {
				t.Fatalf("no bar links to %s", g.Bucket.Name)
			}
			if !strings.Contains(link, "bucket="+g.Bucket.Name) {
				t.Errorf("the bar links to %s", link)
			}
			var want []string
			for _, c := range g.Clients {
				want = append(want, c.ClientCode)
			}
			got := attrs(between(e.get(manager, link), `<tbody id="clients">`, "</tbody>"), "data-client")
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s lists %v, want %v", link, got, want)
			}
		})
	}
	if got := attrs(between(e.get(manager, links["d61_90"]), `<tbody id="clients">`, "</tbody>"), "data-client"); !slices.Equal(got, []string{"C06", "C02", "C03"}) {
		t.Errorf("61–90 lists %v, want C06, C02, C03 (largest overdue first)", got)
	}
}

// TestAgingTableSortsAndPages checks every sortable column in both
// directions and the pages of a portfolio of 120 clients.
func TestAgingTableSortsAndPages(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("numero_facture;code_client;raison_sociale;date_facture;date_echeance;montant_ttc\n")
	for i := 1; i <= 120; i++ {
		// Amounts and due dates vary so that each column sorts differently.
		fmt.Fprintf(&b, "P-%03d;K%03d;Client %03d;01/05/2025;%02d/%02d/2025;%d,%02d\n", i, i, 121-i, 1+i%28, 5+i%5, 100+(i*37)%900, i%100)
	}
	path := filepath.Join(dir, "many.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, path)
	s := e.report(aging.Options{Entity: "default"}).Sections[0]

	rowsOf := func(query string) []string {
		return attrs(between(e.get(manager, query), `<tbody id="clients">`, "</tbody>"), "data-client")
	}
	for _, c := range []struct {
		key string
		val func(aging.Row) string
	}{
		{"client", func(r aging.Row) string { return r.ClientCode }},
		{"name", func(r aging.Row) string { return r.ClientName }},
		{"d31_60", func(r aging.Row) string { return fmt.Sprintf("%020d", r.Buckets[2]) }},
		{"d91_120", func(r aging.Row) string { return fmt.Sprintf("%020d", r.Buckets[4]) }},
		{"total", func(r aging.Row) string { return fmt.Sprintf("%020d", r.Total()) }},
		{"late_rate", func(r aging.Row) string { return fmt.Sprintf("%020d", r.LateRate()) }},
	} {
		for _, desc := range []bool{false, true} {
			rows := slices.Clone(s.Rows)
			slices.SortStableFunc(rows, func(a, b aging.Row) int {
				x := strings.Compare(c.val(a), c.val(b))
				if x == 0 {
					return strings.Compare(a.ClientCode, b.ClientCode)
				}
				if desc {
					return -x
				}
				return x
			})
			dir := map[bool]string{false: "asc", true: "desc"}[desc]
			for pg, want := range [][]aging.Row{rows[:50], rows[50:100], rows[100:]} {
				got := rowsOf(fmt.Sprintf("/aging?sort=%s&dir=%s&page=%d", c.key, dir, pg+1))
				var codes []string
				for _, r := range want {
					codes = append(codes, r.ClientCode)
				}
				if !slices.Equal(got, codes) {
					t.Errorf("sort %s %s page %d: %v…, want %v…", c.key, dir, pg+1, got[:min(3, len(got))], codes[:3])
				}
			}
		}
	}
	page := e.get(manager, "/aging?sort=total&dir=asc&page=2")
	if !strings.Contains(page, "51–100 sur 120") {
		t.Errorf("page 2 does not say 51–100 sur 120")
	}
	for _, want := range []string{`rel="prev" href="/aging?dir=asc&amp;page=1&amp;sort=total"`, `rel="next" href="/aging?dir=asc&amp;page=3&amp;sort=total"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page 2 lacks %s", want)
		}
	}
	// The totals are the whole filter's, not the page's.
	if got := attrs(between(page, `data-client="TOTAL"`, "</tr>"), "data-amount")[8]; got != strconv.FormatInt(int64(s.Total.Total()), 10) {
		t.Errorf("page 2's total %s, want the 120 clients' %d", got, s.Total.Total())
	}
	for _, bad := range []string{"/aging?sort=nope", "/aging?page=0", "/aging?as_of=12-09-2025", "/aging?bucket=d1_2"} {
		if r := e.do(http.MethodGet, manager, bad, nil); r.status != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", bad, r.status)
		}
	}
}

// TestDownloadsAreTheCLIBytes checks /aging.csv and /aging.xlsx against
// aging.Write, the function `relance aging` writes them with (cmd/relance's
// TestAgingDownloadIsTheCLIOutput runs the CLI itself).
func TestDownloadsAreTheCLIBytes(t *testing.T) {
	e := newEnv(t, "testdata/portfolio.csv")
	for _, c := range []struct {
		query string
		opts  aging.Options
	}{
		{"", aging.Options{Entity: "default", AsOf: today}},
		{"?entity=all&disputes=exclude", aging.Options{AsOf: today, ExcludeDisputed: true}},
		{"?as_of=2025-08-15&profile=standard", aging.Options{Entity: "default", AsOf: today.AddDate(0, 0, -28), Profile: "standard"}},
	} {
		for _, format := range []string{"csv", "xlsx"} {
			r := e.do(http.MethodGet, viewer, "/aging."+format+c.query, nil)
			if r.status != http.StatusOK {
				t.Fatalf("%s%s: %d %s", format, c.query, r.status, r.body)
			}
			o := c.opts
			o.Edges = edges
			var next aging.NextStepper
			if format == "xlsx" {
				next = aging.NewPlanNextStep(e.set, o.AsOf)
			}
			var want bytes.Buffer
			if err := aging.Write(context.Background(), e.db, o, next, aging.View{Format: format, By: "client", Locale: "fr"}, &want); err != nil {
				t.Fatal(err)
			}
			if r.body != want.String() {
				t.Errorf("/aging.%s%s differs from aging.Write's bytes", format, c.query)
			}
			if !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") {
				t.Errorf("%s: Content-Disposition %q", format, r.header.Get("Content-Disposition"))
			}
		}
	}
}
