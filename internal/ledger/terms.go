package ledger

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/internal/clock"
)

// ErrTerms is wrapped by every ParseTerms error.
var ErrTerms = errors.New("invalid payment terms")

// Terms are payment terms: net Days after the invoice date, or, when
// EndOfMonth is set, Days combined with the end of a month (fin de mois).
type Terms struct {
	Days       int
	EndOfMonth bool
}

// String writes the terms the way ParseTerms reads them back.
func (t Terms) String() string {
	if t.EndOfMonth {
		return fmt.Sprintf("%d FDM", t.Days)
	}
	return strconv.Itoa(t.Days)
}

// EOMMethod says how "N fin de mois" is computed. French practice differs
// between companies, so it is a setting.
type EOMMethod int

const (
	// DaysThenEOM adds N days, then goes to the end of that month. It is the
	// default: 2025-01-15 + "45 FDM" → 2025-03-01 → 2025-03-31.
	DaysThenEOM EOMMethod = iota
	// EOMThenDays goes to the end of the invoice's month, then adds N days:
	// 2025-01-15 → 2025-01-31 + 45 → 2025-03-17.
	EOMThenDays
)

// ParseEOMMethod reads the configuration names of the methods.
func ParseEOMMethod(s string) (EOMMethod, error) {
	switch s {
	case "", "days_then_eom":
		return DaysThenEOM, nil
	case "eom_then_days":
		return EOMThenDays, nil
	}
	return 0, fmt.Errorf("unknown end-of-month method %q: want days_then_eom or eom_then_days", s)
}

// ParseTerms reads payment terms as ERPs export them, in French or English:
//
//	"30"  "30j"  "30 jours"  "30 days"  "net 30"          net 30 days
//	"45 FDM"  "45 fin de mois"  "45 jours fin de mois"  "45 EOM"
//	"comptant"  "à réception"  "immediate"  "0"           0 days
//
// Case, accents and extra spaces do not matter. It never panics; anything it
// does not understand is an error wrapping ErrTerms.
func ParseTerms(s string) (Terms, error) {
	orig := s
	s = normalize(s)
	switch s {
	case "comptant", "a reception", "reception", "a reception de facture", "immediate", "immediat", "cash", "on receipt", "due on receipt":
		return Terms{}, nil
	}
	s = strings.TrimPrefix(s, "net ")
	s = strings.TrimSuffix(s, " net")
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 3 {
		return Terms{}, fmt.Errorf("%w %q: want e.g. 30, 30 jours, 45 FDM, comptant", ErrTerms, orig)
	}
	days, _ := strconv.Atoi(s[:i])
	rest := strings.TrimSpace(s[i:])
	for _, unit := range []string{"jours", "jour", "days", "day", "j", "d"} {
		if r, ok := strings.CutPrefix(rest, unit); ok && (r == "" || r[0] == ' ') {
			rest = strings.TrimSpace(r)
			break
		}
	}
	switch rest {
	case "", "date de facture", "date facture", "net":
		return Terms{Days: days}, nil
	case "fdm", "fin de mois", "eom", "end of month", "fm":
		return Terms{Days: days, EndOfMonth: true}, nil
	}
	return Terms{}, fmt.Errorf("%w %q: cannot read %q", ErrTerms, orig, rest)
}

// DueDate computes the due date of an invoice issued on issue (a date) with
// terms t, using method for end-of-month terms.
func (t Terms) DueDate(issue time.Time, method EOMMethod) time.Time {
	if !t.EndOfMonth {
		return issue.AddDate(0, 0, t.Days)
	}
	if method == EOMThenDays {
		return clock.EndOfMonth(issue).AddDate(0, 0, t.Days)
	}
	return clock.EndOfMonth(issue.AddDate(0, 0, t.Days))
}

// normalize lowercases, strips accents and folds runs of spaces, so that
// "À  Réception" reads as "a reception".
func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(StripAccents(s))), " ")
}
