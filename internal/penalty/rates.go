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

var tableNames = []string{ECBMainRefinancing, FRLegal, DEBase, UKBankRate}

// ErrNoRate is returned for a date before a table's first entry.
var ErrNoRate = errors.New("no reference rate known for this date")

// Rates are effective-dated reference rates in basis points (hundredths of a
// percent): each step applies from its date until the next.
type Rates struct {
	tables map[string][]step
}

type step struct {
	from time.Time
	bp   int
}

type rateFile map[string][]struct {
	From string `yaml:"from"`
	Rate string `yaml:"rate"`
}

// DefaultRates returns the shipped tables.
func DefaultRates() (*Rates, error) {
	return parseRates("rates.yaml", shippedRates, &Rates{tables: map[string][]step{}})
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
	var f rateFile
	if err := yamlguard.CheckBytes(data, yamlguard.MaxNodes); err != nil {
		return nil, fmt.Errorf("penalty rates %s:%w", name, err)
	}
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("penalty rates %s:\n%s", name, yaml.FormatError(err, false, true))
	}
	var errs []error
	for table, entries := range f {
		if !contains(tableNames, table) {
			errs = append(errs, fmt.Errorf("penalty rates %s: unknown table %q (want %s)", name, table, strings.Join(tableNames, ", ")))
			continue
		}
		steps := make([]step, 0, len(entries))
		for i, e := range entries {
			from, err := time.Parse(time.DateOnly, e.From)
			bp, rerr := parseBP(e.Rate)
			if err != nil || rerr != nil {
				errs = append(errs, fmt.Errorf("penalty rates %s: %s[%d]: want {from: YYYY-MM-DD, rate: \"1.25\"}, got {from: %q, rate: %q}", name, table, i, e.From, e.Rate))
				continue
			}
			if len(steps) > 0 && !from.After(steps[len(steps)-1].from) {
				errs = append(errs, fmt.Errorf("penalty rates %s: %s[%d]: %s is not after the entry before it", name, table, i, e.From))
			}
			steps = append(steps, step{from: from, bp: bp})
		}
		into.tables[table] = steps
	}
	if len(errs) > 0 {
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
	steps := r.tables[table]
	i := sort.Search(len(steps), func(i int) bool { return steps[i].from.After(d) })
	if i == 0 {
		return 0, fmt.Errorf("%s on %s: %w", table, d.Format(time.DateOnly), ErrNoRate)
	}
	return steps[i-1].bp, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
