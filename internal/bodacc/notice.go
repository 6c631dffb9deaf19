package bodacc

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/relance/relance/internal/ledger"
)

// Notice is one BODACC notice of a collective procedure.
type Notice struct {
	Line      int      // its line in a CSV file, or its position (1-based) in a JSON one
	ID        string   // the BODACC's reference, e.g. A202500123456
	SIRENs    []string // the debtor's SIREN (registre), checked; usually one
	Nature    string   // the judgment's nature, as published
	Kind      string   // ledger.Sauvegarde, Redressement or Liquidation; "" when it opens nothing
	Judgment  time.Time
	Published time.Time // dateparution
	Debtor    string    // commercant
	City      string    // ville
}

// Problem is a notice Parse could not read: its line and why.
type Problem struct {
	Line   int
	Field  string
	Reason string
}

func (p Problem) Error() string { return fmt.Sprintf("%d: %s: %s", p.Line, p.Field, p.Reason) }

// record is one record as read, field by field, before checks.
type record struct {
	line                             int
	id, registre, family, familyCode string
	jugement                         string
	nature, judgmentDate, complement string // when the record carries jugement as an object
	published, debtor, city          string
}

// notice checks r: ok false for a record that is not a collective
// procedure (ignored); a Problem for one that is but cannot be read.
func (r record) notice() (Notice, bool, *Problem) {
	if !collective(r) {
		return Notice{}, false, nil
	}
	n := Notice{Line: r.line, ID: clean(r.id, 40), Debtor: clean(r.debtor, 200), City: clean(r.city, 100)}
	bad := func(field, format string, args ...any) (Notice, bool, *Problem) {
		return n, true, &Problem{Line: r.line, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	var err error
	if n.Published, err = parseDate(r.published); err != nil {
		return bad("dateparution", "%v", err)
	}
	if n.SIRENs = sirens(r.registre); len(n.SIRENs) == 0 {
		return bad("registre", "no SIREN in %s", quote(r.registre))
	}
	j := judgment{Nature: r.nature, Date: r.judgmentDate, Complement: r.complement}
	if r.jugement != "" {
		if j, err = parseJudgment(r.jugement); err != nil {
			return bad("jugement", "%v", err)
		}
	}
	n.Nature = clean(j.Nature, 300)
	n.Kind = Classify(j.Nature, j.Complement)
	if n.Kind == "" {
		return n, true, nil // a collective procedure's notice that opens nothing
	}
	if n.Judgment, err = parseDate(j.Date); err != nil {
		// The judgment's date is sometimes missing or written in words
		// no one foresaw; the publication follows it by days.
		n.Judgment = n.Published
		return bad("jugement.date", "%v: the publication date %s is used as the opening", err, n.Published.Format(time.DateOnly))
	}
	if n.Judgment.After(n.Published) {
		return bad("jugement", "judgment on %s, after its publication on %s", n.Judgment.Format(time.DateOnly), n.Published.Format(time.DateOnly))
	}
	return n, true, nil
}

// collective says whether a record is a collective procedure's notice: by
// its family (familleavis "collective", familleavis_lib "Procédures
// collectives"), or, in an export without the family, by its judgment.
func collective(r record) bool {
	if r.familyCode != "" {
		return r.familyCode == "collective"
	}
	if r.family != "" {
		return strings.Contains(fold(r.family), "procedures collectives")
	}
	return r.jugement != "" || r.nature != ""
}

// Classify says which proceeding a judgment opens, from its nature, or
// from its complement when the nature is generic ("Autre jugement et
// ordonnance"): liquidation, redressement or sauvegarde; "" when it opens
// none (a closing, a plan, a list of claims, a dismissal…). A conversion
// counts as opening what it converts to.
func Classify(nature, complement string) string {
	if k := classify(fold(nature)); k != "" {
		return k
	}
	return classify(fold(complement))
}

func classify(s string) string {
	opens := false
	for _, w := range []string{"ouverture", "conversion", "prononcant la liquidation", "prononce la liquidation",
		"ouvre la procedure", "ouvre une procedure", "extension", "resolution du plan"} {
		if strings.Contains(s, w) {
			opens = true
		}
	}
	for _, w := range []string{"cloture", "liste des creances", "etat des creances", "depot", "arretant le plan",
		"modifiant le plan", "rejet", "infirm", "rapport", "retablissement professionnel"} {
		if strings.Contains(s, w) {
			return ""
		}
	}
	switch {
	case !opens:
		return ""
	case strings.Contains(s, "liquidation"):
		return ledger.Liquidation
	case strings.Contains(s, "redressement"):
		return ledger.Redressement
	case strings.Contains(s, "sauvegarde"):
		return ledger.Sauvegarde
	}
	return ""
}

// sirenDigits finds SIRENs as the BODACC writes them: 9 digits, run
// together or in groups of three.
var sirenDigits = regexp.MustCompile(`\b\d{3} ?\d{3} ?\d{3}\b`)

// sirens extracts the distinct valid SIRENs of a registre field ("[\"841774730\",
// \"841 774 730\"]", "841774730,841 774 730"…).
func sirens(registre string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range sirenDigits.FindAllString(limit(registre, 2000), 20) {
		s, err := ledger.NormalizeSIREN(m)
		if err != nil || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// frenchMonths and englishMonths read dates written in words ("1er octobre
// 2026", "6 may 2011").
var months = map[string]time.Month{
	"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
	"septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
	"september": 9, "october": 10, "november": 11, "december": 12,
}

// parseDate reads a date as the BODACC writes it: ISO (2025-09-12, or an
// RFC 3339 instant), dd/mm/yyyy, or in words (1er octobre 2026).
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(limit(s, 100))
	if s == "" {
		return time.Time{}, fmt.Errorf("no date")
	}
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return plausible(t, s)
		}
	}
	if t, err := time.Parse("02/01/2006", s); err == nil {
		return plausible(t, s)
	}
	f := strings.Fields(fold(s))
	if len(f) == 3 {
		d, err1 := strconv.Atoi(strings.TrimSuffix(f[0], "er"))
		m, ok := months[f[1]]
		y, err2 := strconv.Atoi(f[2])
		if err1 == nil && err2 == nil && ok && d >= 1 && d <= 31 {
			t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
			if t.Day() == d {
				return plausible(t, s)
			}
		}
	}
	return time.Time{}, fmt.Errorf("unreadable date %s", quote(s))
}

// plausible refuses dates no BODACC notice can carry.
func plausible(t time.Time, s string) (time.Time, error) {
	if t.Year() < 1950 || t.Year() > 2200 {
		return time.Time{}, fmt.Errorf("implausible date %s", quote(s))
	}
	return t, nil
}

// fold lower-cases s and strips its accents and apostrophes' variants, so
// that "Jugement d’ouverture" and "jugement d'ouverture" compare equal.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(limit(s, 4000))
	}
	out := ledger.StripAccents(limit(s, 4000))
	return strings.ToLower(strings.NewReplacer("’", "'", "\u00a0", " ").Replace(out))
}

// clean makes a text safe to print and store: control and format
// characters out, spaces collapsed, cut at n runes.
func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return ' '
		case r == unicode.ReplacementChar:
			return -1
		}
		return r
	}, limit(s, 4*n))
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

// limit cuts s to at most n bytes, on a rune boundary.
func limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return utf8.RuneStart(b) }

// quote shows a value in an error, as the ledger quotes one (cut to 40
// characters).
func quote(s string) string { return ledger.Quote(clean(s, 1000)) }
