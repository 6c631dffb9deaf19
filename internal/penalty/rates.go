package penalty

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/relance/relance/internal/yamlguard"
)

// shippedRates is the rate table that ships with relance (rates.yaml).
//
//go:embed rates.yaml
var shippedRates []byte

// The tables a Rates holds.
const (
	ECBMainRefinancing = "ecb_mro"      // ECB main refinancing operations rate
	FRLegal            = "fr_legal"     // French taux d'intérêt légal for professional creditors
	DEBase             = "de_base"      // Bundesbank Basiszinssatz
	UKBankRate         = "uk_bank_rate" // Bank of England Bank Rate
)

// Tables lists the table names, in the order reports show them.
func Tables() []string { return []string{ECBMainRefinancing, FRLegal, DEBase, UKBankRate} }

// ErrNoRate is returned for a date before a table's first entry.
var ErrNoRate = errors.New("no reference rate known for this date")

// Rates are effective-dated reference rates in basis points (hundredths of a
// percent): each step applies from its date until the next. A table is known
// up to its last step, or up to the later day its source was last checked;
// beyond that the last rate is carried forward, which Calculator.Gaps reports.
type Rates struct {
	tables map[string]*table
}

type table struct {
	source  string    // where the rates are published
	checked time.Time // the source was last confirmed on this day; zero if never said
	steps   []step
}

type step struct {
	from   time.Time
	bp     int
	source string // the act that set this step (an arrêté); empty: the table's source
}

// Entry is the step of a table in force on a day.
type Entry struct {
	Table  string
	From   time.Time // the day the rate took effect
	RateBP int
	Source string // the step's own source when it has one, else the table's
}

// tableFile is one table as written in YAML: either a bare list of steps or
// a mapping with the source, the day it was checked and the steps.
type tableFile struct {
	Source  string     `yaml:"source"`
	Checked string     `yaml:"checked"`
	Steps   []stepFile `yaml:"steps"`
}

type stepFile struct {
	From   string `yaml:"from"`
	Rate   string `yaml:"rate"`
	Source string `yaml:"source"`
}

// UnmarshalYAML accepts the bare list of steps of earlier rate files as well
// as the mapping form.
func (t *tableFile) UnmarshalYAML(unmarshal func(any) error) error {
	var probe any
	if err := unmarshal(&probe); err != nil {
		return err
	}
	if _, list := probe.([]any); list {
		return unmarshal(&t.Steps)
	}
	type plain tableFile
	return unmarshal((*plain)(t))
}

// DefaultRates returns the shipped tables.
func DefaultRates() (*Rates, error) {
	return parseRates("rates.yaml", shippedRates, &Rates{tables: map[string]*table{}})
}

// LoadRates returns the shipped tables with those of the YAML file at path
// replacing them table by table (a file may hold only ecb_mro, say). An
// empty path gives the shipped tables.
func LoadRates(path string) (*Rates, error) {
	r, err := DefaultRates()
	if err != nil || path == "" {
		return r, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("penalty rates: %w", err)
	}
	return parseRates(path, data, r)
}

func parseRates(name string, data []byte, into *Rates) (*Rates, error) {
	var f map[string]tableFile
	if err := yamlguard.CheckBytes(data, yamlguard.MaxNodes); err != nil {
		return nil, fmt.Errorf("penalty rates %s:%w", name, err)
	}
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("penalty rates %s:\n%s", name, yaml.FormatError(err, false, true))
	}
	var errs []error
	for tname, tf := range f {
		if !contains(Tables(), tname) {
			errs = append(errs, fmt.Errorf("penalty rates %s: unknown table %q (want %s)", name, tname, strings.Join(Tables(), ", ")))
			continue
		}
		t := &table{source: tf.Source, steps: make([]step, 0, len(tf.Steps))}
		if tf.Checked != "" {
			checked, err := time.Parse(time.DateOnly, tf.Checked)
			if err != nil {
				errs = append(errs, fmt.Errorf("penalty rates %s: %s.checked: want YYYY-MM-DD, got %q", name, tname, tf.Checked))
			}
			t.checked = checked
		}
		for i, e := range tf.Steps {
			from, err := time.Parse(time.DateOnly, e.From)
			bp, rerr := parseBP(e.Rate)
			if err != nil || rerr != nil {
				errs = append(errs, fmt.Errorf("penalty rates %s: %s[%d]: want {from: YYYY-MM-DD, rate: \"1.25\"}, got {from: %q, rate: %q}", name, tname, i, e.From, e.Rate))
				continue
			}
			if len(t.steps) > 0 && !from.After(t.steps[len(t.steps)-1].from) {
				errs = append(errs, fmt.Errorf("penalty rates %s: %s[%d]: %s is not after the entry before it", name, tname, i, e.From))
			}
			t.steps = append(t.steps, step{from: from, bp: bp, source: e.Source})
		}
		into.tables[tname] = t
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return nil, errors.Join(errs...)
	}
	return into, nil
}

// parseBP reads a percentage with at most two decimals ("2.15", "-0.88",
// "12.5%") as basis points.
func parseBP(s string) (int, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	t = strings.ReplaceAll(t, ",", ".")
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(t, "-")
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" || len(frac) > 2 || strings.ContainsAny(whole+frac, "+-") {
		return 0, fmt.Errorf("invalid percentage %q", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	bp, err := strconv.Atoi(whole + frac)
	if err != nil || bp > 100_000 {
		return 0, fmt.Errorf("invalid percentage %q", s)
	}
	if neg {
		bp = -bp
	}
	return bp, nil
}

// On returns the rate of table in force on day d, in basis points.
func (r *Rates) On(table string, d time.Time) (int, error) {
	e, err := r.Entry(table, d)
	return e.RateBP, err
}

// Entry returns the step of table in force on day d.
func (r *Rates) Entry(name string, d time.Time) (Entry, error) {
	t := r.tables[name]
	if t == nil {
		return Entry{}, fmt.Errorf("%s on %s: %w", name, d.Format(time.DateOnly), ErrNoRate)
	}
	i := sort.Search(len(t.steps), func(i int) bool { return t.steps[i].from.After(d) })
	if i == 0 {
		return Entry{}, fmt.Errorf("%s on %s: %w", name, d.Format(time.DateOnly), ErrNoRate)
	}
	s := t.steps[i-1]
	e := Entry{Table: name, From: s.from, RateBP: s.bp, Source: s.source}
	if e.Source == "" {
		e.Source = t.source
	}
	return e, nil
}

// Source returns where table's rates are published ("" when the rate file
// does not say).
func (r *Rates) Source(name string) string {
	if t := r.tables[name]; t != nil {
		return t.source
	}
	return ""
}

// KnownThrough returns the last day table is known to be right: its last
// step, or the day its source was last checked when that is later. The zero
// time means the table is empty.
func (r *Rates) KnownThrough(name string) time.Time {
	t := r.tables[name]
	if t == nil || len(t.steps) == 0 {
		return time.Time{}
	}
	last := t.steps[len(t.steps)-1].from
	if t.checked.After(last) {
		return t.checked
	}
	return last
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
