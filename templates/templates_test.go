package templates

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/money"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// fixedMessage is the message of the golden files: two late invoices, the
// worked example of DESIGN.md §2 among them.
func fixedMessage() Message {
	day := time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC)
	invs := []Invoice{
		{Number: "F2025-0142", IssueDate: time.Date(2025, 6, 14, 0, 0, 0, 0, time.UTC), DueDate: time.Date(2025, 7, 14, 0, 0, 0, 0, time.UTC),
			DaysLate: 60, Currency: "EUR", Amount: 1200000, Outstanding: 1200000, Interest: 23967, Indemnity: 4000,
			PaymentLink: "https://pay.example.com/F2025-0142"},
		{Number: "F2025-0187", IssueDate: time.Date(2025, 7, 3, 0, 0, 0, 0, time.UTC), DueDate: time.Date(2025, 8, 2, 0, 0, 0, 0, time.UTC),
			DaysLate: 41, Currency: "EUR", Amount: 348000, Outstanding: 148000, Interest: 4749, Indemnity: 4000},
	}
	return Message{
		Entity: Entity{Name: "Atelier Durand SAS", Locale: "fr", Address: []string{"12 rue des Tanneurs", "69002 Lyon"},
			SIREN: "123 456 789", VAT: "FR32123456789", Contact: "Service comptabilité clients", Email: "compta@atelier-durand.fr",
			Phone: "+33 4 72 00 00 00", IBAN: "FR76 3000 6000 0112 3456 7890 189", BIC: "AGRIFRPP"},
		Client:      Client{Code: "C042", Name: "Boulangerie Martin & Fils", Locale: "fr", Address: []string{"3 place du Marché", "38000 Grenoble"}},
		Day:         day,
		Step:        Step{ID: "level3", Level: 3, Template: "level3"},
		Invoices:    invs,
		Totals:      TotalsOf(invs),
		PenaltyRate: 1215,
		Penalties:   true,
		Deadline:    day.AddDate(0, 0, 8),
	}
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
				m.Penalties = false
				for i := range m.Invoices {
					m.Invoices[i].DueDate = m.Day.AddDate(0, 0, 5+i)
					m.Invoices[i].DaysLate = -5 - i
					m.Invoices[i].Interest, m.Invoices[i].Indemnity = 0, 0
				}
				m.Totals = TotalsOf(m.Invoices)
			case "level1", "level2":
				m.Penalties = false
				for i := range m.Invoices {
					m.Invoices[i].Interest, m.Invoices[i].Indemnity = 0, 0
				}
				m.Totals = TotalsOf(m.Invoices)
			}
			r, err := set.Render(name, m)
			if err != nil {
				t.Fatalf("%s/%s: %v", locale, name, err)
			}
			if r.Locale != locale {
				t.Errorf("%s/%s: rendered in %s", locale, name, r.Locale)
			}
			for part, got := range map[string]string{"subject": r.Subject + "\n", "txt": r.Text, "html": r.HTML} {
				golden(t, filepath.Join("testdata", "golden", name+"."+locale+"."+part+".golden"), got)
			}
		}
	}
}

func golden(t *testing.T, path, got string) {
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
