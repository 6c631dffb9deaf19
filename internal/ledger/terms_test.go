package ledger

import (
	"errors"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
)

func TestParseTermsAndDueDate(t *testing.T) {
	d := clock.Date
	tests := []struct {
		terms  string
		issue  time.Time
		method EOMMethod
		want   time.Time
	}{
		// DESIGN.md §2 worked example, both methods.
		{"45 fin de mois", d(2025, 1, 15), DaysThenEOM, d(2025, 3, 31)},
		{"45 fin de mois", d(2025, 1, 15), EOMThenDays, d(2025, 3, 17)},
		{"45 FDM", d(2025, 1, 15), DaysThenEOM, d(2025, 3, 31)},
		{"45 EOM", d(2025, 1, 15), EOMThenDays, d(2025, 3, 17)},
		{"45 jours fin de mois", d(2025, 1, 15), DaysThenEOM, d(2025, 3, 31)},
		{"30", d(2025, 1, 15), DaysThenEOM, d(2025, 2, 14)},
		{"30j", d(2025, 1, 15), DaysThenEOM, d(2025, 2, 14)},
		{"30 jours", d(2025, 1, 31), DaysThenEOM, d(2025, 3, 2)},
		{"60 days", d(2024, 12, 31), DaysThenEOM, d(2025, 3, 1)},
		{"net 30", d(2025, 1, 15), DaysThenEOM, d(2025, 2, 14)},
		{"comptant", d(2025, 1, 15), DaysThenEOM, d(2025, 1, 15)},
		{"à réception", d(2025, 1, 15), DaysThenEOM, d(2025, 1, 15)},
		{"A RECEPTION", d(2025, 1, 15), DaysThenEOM, d(2025, 1, 15)},
		{"0", d(2025, 1, 15), DaysThenEOM, d(2025, 1, 15)},
		// End of February in a leap year, both methods.
		{"30 FDM", d(2024, 1, 31), DaysThenEOM, d(2024, 3, 31)},
		{"30 FDM", d(2024, 1, 31), EOMThenDays, d(2024, 3, 1)},
		{"0 FDM", d(2024, 2, 3), DaysThenEOM, d(2024, 2, 29)},
	}
	for _, tt := range tests {
		terms, err := ParseTerms(tt.terms)
		if err != nil {
			t.Errorf("ParseTerms(%q): %v", tt.terms, err)
			continue
		}
		if got := terms.DueDate(tt.issue, tt.method); !got.Equal(tt.want) {
			t.Errorf("%q from %s (method %d) = %s, want %s", tt.terms, tt.issue.Format(time.DateOnly), tt.method, got.Format(time.DateOnly), tt.want.Format(time.DateOnly))
		}
	}
}

func TestParseTermsRejects(t *testing.T) {
	for _, s := range []string{"", "soon", "30 semaines", "fin de mois", "-30", "1000000 jours", "45 FDM le 10"} {
		if _, err := ParseTerms(s); !errors.Is(err, ErrTerms) {
			t.Errorf("ParseTerms(%q) err = %v, want ErrTerms", s, err)
		}
	}
}

func TestParseEOMMethod(t *testing.T) {
	if m, err := ParseEOMMethod("eom_then_days"); err != nil || m != EOMThenDays {
		t.Errorf("eom_then_days = %v, %v", m, err)
	}
	if _, err := ParseEOMMethod("end"); err == nil {
		t.Error("unknown method accepted")
	}
}

func FuzzParseTerms(f *testing.F) {
	for _, s := range []string{"30", "45 FDM", "à réception", "30 jours fin de mois", "net 60", "\xff", "999 j"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms, err := ParseTerms(s)
		if err != nil {
			if !errors.Is(err, ErrTerms) {
				t.Fatalf("ParseTerms(%q): %v does not wrap ErrTerms", s, err)
			}
			return
		}
		back, err := ParseTerms(terms.String())
		if err != nil || back != terms {
			t.Fatalf("ParseTerms(%q) = %+v; String round trip gave %+v, %v", s, terms, back, err)
		}
		due := terms.DueDate(clock.Date(2025, 1, 15), DaysThenEOM)
		if due.Before(clock.Date(2025, 1, 15)) {
			t.Fatalf("due date %s before issue", due)
		}
	})
}
