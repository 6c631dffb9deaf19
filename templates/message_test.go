package templates

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/penalty"
)

func TestClaimLeavesOutWhatIsNotYetDue(t *testing.T) {
	m := fixedMessage()
	m.Invoices = append(m.Invoices, Invoice{Number: "F3", DaysLate: -4, Currency: "EUR", Amount: 50000, Outstanding: 50000})
	m.Totals = TotalsOf(m.Invoices)
	if got := len(m.Overdue()); got != 2 {
		t.Errorf("%d overdue, want 2", got)
	}
	if nd := m.NotYetDue(); len(nd) != 1 || nd[0].Number != "F3" {
		t.Errorf("not yet due %+v", nd)
	}
	want := Totals{Currency: "EUR", Outstanding: 1348000, Interest: 28716, Indemnity: 8000, Due: 1384716}
	if got := m.Claim(); got != want {
		t.Errorf("Claim = %+v, want %+v", got, want)
	}
	if got := m.NotYetDueTotals(); got.Outstanding != 50000 || got.Due != 50000 {
		t.Errorf("NotYetDueTotals = %+v", got)
	}
	// A pre-due notice claims its invoices.
	m.Invoices = m.Invoices[2:]
	m.Totals = TotalsOf(m.Invoices)
	if got := m.Claim(); got != m.Totals {
		t.Errorf("pre-due Claim = %+v, want the totals %+v", got, m.Totals)
	}
}

func TestRateSpans(t *testing.T) {
	period := func(from, to string, bp int) penalty.Period {
		f, _ := time.Parse(time.DateOnly, from)
		tt, _ := time.Parse(time.DateOnly, to)
		return penalty.Period{From: f, To: tt, RateBP: bp}
	}
	for _, tt := range []struct {
		name    string
		day     string
		periods [][]penalty.Period // per invoice
		want    string
		mixed   bool
	}{
		{"none", "2025-09-12", nil, "", false},
		{"one rate", "2025-09-12", [][]penalty.Period{{period("2025-07-15", "2025-09-12", 1215)}}, "2025-07-01..2025-12-31 1215 ongoing", false},
		{"two half-years", "2025-09-12", [][]penalty.Period{
			{period("2025-06-16", "2025-06-30", 1315), period("2025-07-01", "2025-09-12", 1215)},
			{period("2025-08-03", "2025-09-12", 1215)},
		}, "2025-01-01..2025-06-30 1315; 2025-07-01..2025-12-31 1215 ongoing", false},
		// 2025 H2 and 2026 H1 both at 12.15%: one span.
		{"same rate merged", "2026-02-10", [][]penalty.Period{
			{period("2025-05-20", "2025-06-30", 1315), period("2025-07-01", "2025-12-31", 1215), period("2026-01-01", "2026-02-10", 1215)},
		}, "2025-01-01..2025-06-30 1315; 2025-07-01..2026-06-30 1215 ongoing", false},
		// Frozen at an insolvency before the message's day: nothing runs.
		{"stopped", "2025-09-12", [][]penalty.Period{{period("2025-03-01", "2025-04-10", 1315)}}, "2025-01-01..2025-06-30 1315", false},
		{"rates per debt", "2025-09-12", [][]penalty.Period{
			{period("2025-05-01", "2025-06-30", 1275), period("2025-07-01", "2025-09-12", 1275)},
			{period("2025-08-01", "2025-09-12", 1225)},
		}, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := Message{}
			m.Day, _ = time.Parse(time.DateOnly, tt.day)
			for _, p := range tt.periods {
				m.Invoices = append(m.Invoices, Invoice{DaysLate: 1, Periods: p})
			}
			var got []string
			for _, s := range m.RateSpans() {
				g := fmt.Sprintf("%s..%s %d", s.From.Format(time.DateOnly), s.To.Format(time.DateOnly), s.RateBP)
				if s.Ongoing {
					g += " ongoing"
				}
				got = append(got, g)
			}
			if strings.Join(got, "; ") != tt.want || m.RatesPerInvoice() != tt.mixed {
				t.Errorf("spans %q mixed %v, want %q %v", strings.Join(got, "; "), m.RatesPerInvoice(), tt.want, tt.mixed)
			}
		})
	}
}

func TestDeadlineDays(t *testing.T) {
	m := fixedMessage()
	if got := m.DeadlineDays(); got != 8 {
		t.Errorf("DeadlineDays = %d, want 8", got)
	}
}

// French messages and letters speak French: no step codes, template or
// channel names, currency codes or ISO dates, and French numbers.
func TestFrenchOutputIsFrench(t *testing.T) {
	set, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	english := regexp.MustCompile(`\d{4}-\d{2}-\d{2}|\b\d+\.\d{2}\b|level\d|pre_due|formal_notice|registered_letter|d\d+_\d+|\binvoice|\bEUR\b|\bdue\b|\bdays?\b`)
	check := func(name string, m Message) {
		m.Client.Locale = "fr"
		r, err := set.Render(m.Step.Template, m)
		if err != nil {
			t.Fatal(err)
		}
		// Links are the client's to follow, not words to read.
		strip := regexp.MustCompile(`https?://\S+|<a href="[^"]*"`)
		for part, s := range map[string]string{"subject": r.Subject, "txt": r.Text, "html": r.HTML, "letter": r.Letter} {
			if bad := english.FindString(strip.ReplaceAllString(s, "")); bad != "" {
				t.Errorf("%s %s: %q in French output", name, part, bad)
			}
		}
	}
	for _, name := range set.Names() {
		m := fixedMessage()
		m.Step = Step{ID: name, Template: name}
		check(name, m)
	}
	for _, v := range variants {
		m := fixedMessage()
		m.Step = Step{ID: v.template, Template: v.template}
		v.change(&m)
		check(v.golden, m)
	}
}
