package templates

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// fixedMessage is the message of the golden files: two late invoices, the
// worked example of DESIGN.md §2 among them (60 days at 12.15%), the other
// paid 2,000.00 on the day (interest ran on 3,480.00 until then).
func fixedMessage() Message {
	day := date(2025, 9, 12)
	invs := []Invoice{
		{Number: "F2025-0142", IssueDate: date(2025, 6, 14), DueDate: date(2025, 7, 14),
			DaysLate: 60, Currency: "EUR", Amount: 1200000, Outstanding: 1200000, Interest: 23967, Indemnity: 4000,
			PaymentLink: "https://pay.example.com/F2025-0142",
			Periods:     []penalty.Period{{From: date(2025, 7, 15), To: day, Days: 60, Principal: 1200000, RateBP: 1215, Interest: 23967}}},
		{Number: "F2025-0187", IssueDate: date(2025, 7, 3), DueDate: date(2025, 8, 2),
			DaysLate: 41, Currency: "EUR", Amount: 348000, Outstanding: 148000, Interest: 4749, Indemnity: 4000,
			Periods: []penalty.Period{{From: date(2025, 8, 3), To: day, Days: 41, Principal: 348000, RateBP: 1215, Interest: 4749}}},
	}
	return Message{
		Creditor: Party{Name: "Atelier Durand SAS", Address: []string{"12 rue des Tanneurs", "69002 Lyon"},
			SIREN: "123 456 789", VAT: "FR32123456789"},
		Debtor: Party{Name: "Boulangerie Martin & Fils", Address: []string{"3 place du Marché", "38000 Grenoble"},
			SIREN: "987 654 321", VAT: "FR45987654321"},
		Entity: Entity{Locale: "fr", Contact: "Service comptabilité clients", Email: "compta@atelier-durand.fr",
			Phone: "+33 4 72 00 00 00", IBAN: "FR76 3000 6000 0112 3456 7890 189", BIC: "AGRIFRPP"},
		Client:      Client{Code: "C042", Locale: "fr"},
		Day:         day,
		Step:        Step{ID: "level3", Level: 3, Template: "level3"},
		Invoices:    invs,
		Totals:      TotalsOf(invs),
		PenaltyRate: 1215,
		Penalties:   true,
		Deadline:    day.AddDate(0, 0, 8),
		Oversight:   true,
	}
}

// withoutPenalties clears what a step without penalties does not state.
func withoutPenalties(m *Message) {
	m.Penalties = false
	for i := range m.Invoices {
		m.Invoices[i].Interest, m.Invoices[i].Indemnity, m.Invoices[i].Periods = 0, 0, nil
	}
	m.Totals = TotalsOf(m.Invoices)
}

// variants are the golden files beyond one per template: the tone of a first
// reminder to an old debt, a reminder that also lists an invoice not yet
// due, interest across two half-years, and rates that differ per invoice.
var variants = []struct {
	golden, template string
	change           func(*Message)
}{
	{"level1_statement", "level1", func(m *Message) {
		// The oldest invoice is 60 days late: no "simple oversight".
		withoutPenalties(m)
		m.Oversight = false
	}},
	{"level1_not_yet_due", "level1", func(m *Message) {
		// F2025-0187 reaches level 1 on the day F2025-0201 gets its pre-due
		// notice: one message, the second listed apart.
		m.Invoices = []Invoice{m.Invoices[1],
			{Number: "F2025-0201", IssueDate: date(2025, 8, 18), DueDate: date(2025, 9, 17), DaysLate: -5,
				Currency: "EUR", Amount: 96000, Outstanding: 96000, PaymentLink: "https://pay.example.com/F2025-0201"}}
		m.Invoices[0].DueDate, m.Invoices[0].DaysLate = date(2025, 9, 11), 1
		withoutPenalties(m)
	}},
	{"level3_two_half_years", "level3", twoHalfYears},
	{"level4_rates_per_invoice", "level4", func(m *Message) {
		// UK rules: each debt keeps the rate of the half-year its interest
		// started in, so one half-year has two rates.
		m.Invoices[1].Periods[0].RateBP = 1175
	}},
	{"formal_notice_two_half_years", "formal_notice", twoHalfYears},
}

// twoHalfYears makes the first invoice due 15 June: 16–30 June at 13.15%
// (ECB 3.15 on 1 January + 10), 1 July–12 September at 12.15%.
// 12,000 × (0.1315 × 15 + 0.1215 × 74) / 365 = 64.849… + 295.594… = 360.443…
// → 360.44, shared 64.85 + 295.59 (rounded down, the cent left goes to the
// larger remainder).
func twoHalfYears(m *Message) {
	inv := &m.Invoices[0]
	inv.DueDate, inv.DaysLate, inv.Interest = date(2025, 6, 15), 89, 36044
	inv.Periods = []penalty.Period{
		{From: date(2025, 6, 16), To: date(2025, 6, 30), Days: 15, Principal: 1200000, RateBP: 1315, Interest: 6485},
		{From: date(2025, 7, 1), To: m.Day, Days: 74, Principal: 1200000, RateBP: 1215, Interest: 29559}}
	m.Totals = TotalsOf(m.Invoices)
}

func TestTotalsOf(t *testing.T) {
	got := fixedMessage().Totals
	want := Totals{Currency: "EUR", Outstanding: 1348000, Interest: 28716, Indemnity: 8000, Due: 1384716}
	if got != want {
		t.Fatalf("TotalsOf = %+v, want %+v", got, want)
	}
	if e := fixedMessage().IndemnityEach(); e != money.Amount(4000) {
		t.Errorf("IndemnityEach = %d, want 4000", e)
	}
}

func TestGolden(t *testing.T) {
	set, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"pre_due", "level1", "level2", "level3", "level4", "formal_notice"}
	if got := strings.Join(set.Names(), ","); got != "formal_notice,level1,level2,level3,level4,pre_due" {
		t.Errorf("Names = %s", got)
	}
	if got := strings.Join(set.Locales(), ","); got != "en,fr" {
		t.Errorf("Locales = %s", got)
	}
	for _, locale := range []string{"fr", "en"} {
		for _, name := range names {
			m := fixedMessage()
			m.Client.Locale = locale
			m.Step = Step{ID: name, Template: name}
			switch name {
			case "pre_due":
				for i := range m.Invoices {
					m.Invoices[i].DueDate = m.Day.AddDate(0, 0, 5+i)
					m.Invoices[i].DaysLate = -5 - i
				}
				withoutPenalties(&m)
			case "level1", "level2":
				withoutPenalties(&m)
			}
			renderGolden(t, set, name, name, locale, m)
		}
		for _, v := range variants {
			m := fixedMessage()
			m.Client.Locale = locale
			m.Step = Step{ID: v.template, Template: v.template}
			v.change(&m)
			renderGolden(t, set, v.golden, v.template, locale, m)
		}
	}
}

// renderGolden renders template for m and compares each part with its
// golden file, testdata/golden/<golden>.<locale>.<part>.golden.
func renderGolden(t *testing.T, set *Set, golden, template, locale string, m Message) {
	t.Helper()
	r, err := set.Render(template, m)
	if err != nil {
		t.Fatalf("%s/%s: %v", locale, golden, err)
	}
	if r.Locale != locale {
		t.Errorf("%s/%s: rendered in %s", locale, golden, r.Locale)
	}
	parts := map[string]string{"subject": r.Subject + "\n", "txt": r.Text, "html": r.HTML}
	if r.Letter != "" {
		parts["letter"] = r.Letter
	}
	for part, got := range parts {
		compareGolden(t, filepath.Join("testdata", "golden", golden+"."+locale+"."+part+".golden"), got)
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./templates -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test ./templates -update and review the diff):\n--- got\n%s", path, got)
	}
}

// A plan may claim penalties from any ladder step (penalties: true on
// level2 in an aggressive profile): every late-stage template then states
// the legal basis, and none does without it.
func TestPenaltiesMentionFollowsTheFlag(t *testing.T) {
	set, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, locale := range set.Locales() {
		for _, name := range []string{"level1", "level2", "level3", "level4", "formal_notice"} {
			for _, penalties := range []bool{true, false} {
				m := fixedMessage()
				m.Client.Locale = locale
				m.Penalties = penalties
				r, err := set.Render(name, m)
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Contains(r.Text, "L441-10"); got != penalties {
					t.Errorf("%s/%s penalties=%v: text mentions L441-10: %v", locale, name, penalties, got)
				}
				if got := strings.Contains(r.HTML, "L441-10"); got != penalties {
					t.Errorf("%s/%s penalties=%v: HTML mentions L441-10: %v", locale, name, penalties, got)
				}
			}
		}
	}
}

// TestPenaltiesCiteTheRuleSetsLaw: a German debtor under the DE rule set is
// not told about the French Commercial Code.
func TestPenaltiesCiteTheRuleSetsLaw(t *testing.T) {
	set, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string][]string{
		"DE": {"fr": {"§ 288 du Code civil allemand (BGB)", "§ 288, alinéa 5, BGB"}, "en": {"Section 288 of the German Civil Code (BGB)", "Section 288(5) BGB"}},
		"UK": {"fr": {"Late Payment of Commercial Debts (Interest) Act 1998"}, "en": {"Late Payment of Commercial Debts (Interest) Act 1998", "section 5A"}},
		"EU": {"fr": {"directive 2011/7/UE"}, "en": {"Directive 2011/7/EU", "Article 6 of the same Directive"}},
		"FR": {"fr": {"article L441-10 du Code de commerce"}, "en": {"Article L441-10 of the French Commercial Code"}},
	}
	for rs, byLocale := range want {
		for locale, parts := range byLocale {
			for _, name := range []string{"level3", "formal_notice"} {
				m := fixedMessage()
				m.RuleSet, m.Client.Locale, m.Step.Template = rs, locale, name
				r, err := set.Render(name, m)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range parts {
					if !strings.Contains(r.Text, p) || !strings.Contains(r.HTML, strings.ReplaceAll(p, "'", "&#39;")) {
						t.Errorf("%s %s %s: %q missing", rs, locale, name, p)
					}
				}
				if rs != "FR" && (strings.Contains(r.Text, "L441") || strings.Contains(r.HTML, "L441")) {
					t.Errorf("%s %s %s cites French law", rs, locale, name)
				}
			}
		}
	}
}
