package provision

import (
	"fmt"
	"sort"
	"strconv"
)

// Matrix says how much of a doubtful invoice to provision: a share of its
// outstanding excl. VAT by aging bucket, which a plan profile may override
// bucket by bucket, and a share for the invoices of a client under an
// insolvency proceeding, whatever their age. It also holds the VAT rate
// assumed for an invoice imported without its amount excl. VAT.
type Matrix struct {
	buckets  []Bucket
	rates    map[string][]int // profile ("" the default) → rate of each bucket, bp
	profiles []string         // the overriding profiles, sorted
	// InsolvencyBP is the rate of an invoice of a client in insolvency
	// proceedings (provision.insolvency_rate), in basis points.
	InsolvencyBP int
	// DefaultVATBP is the VAT rate assumed when the import gave no amount
	// excl. VAT (provision.default_vat_rate), in basis points.
	DefaultVATBP int
}

// Bucket is an overdue aging bucket: its name as the aged balance gives it
// (aging.Buckets, which this package cannot import: aging reads plans,
// which read the configuration, which builds a Matrix) and the fewest days
// late in it.
type Bucket struct {
	Name      string
	LowerDays int
}

// NotDue is the bucket of an invoice not yet late (aging.NotDue).
const NotDue = "not_due"

// Defaults of the configuration keys (DESIGN.md §2).
const (
	DefaultInsolvencyBP = 10000 // 100 %
	DefaultVATBP        = 2000  // 20 %, the French standard rate
)

// NewMatrix builds the matrix from the aging bucket edges ([30 60 90 120]
// gives d1_30 … d121_plus), the default rates by bucket name, the
// overrides by profile and bucket, the insolvency rate and the default VAT
// rate, all rates in basis points. A bucket without a rate provisions
// nothing. An error names the key at fault, relative to provision
// ("rates.d91_12: no such bucket …").
func NewMatrix(edges []int, rates map[string]int, profiles map[string]map[string]int, insolvencyBP, vatBP int) (Matrix, error) {
	m := Matrix{buckets: bucketsOf(edges), rates: map[string][]int{}, InsolvencyBP: insolvencyBP, DefaultVATBP: vatBP}
	def, err := m.row("rates", rates, nil)
	if err != nil {
		return m, err
	}
	m.rates[""] = def
	for p, r := range profiles {
		if p == "" {
			return m, fmt.Errorf("profiles: a profile needs a name")
		}
		row, err := m.row("profiles."+p, r, def)
		if err != nil {
			return m, err
		}
		m.rates[p] = row
		m.profiles = append(m.profiles, p)
	}
	sort.Strings(m.profiles)
	switch {
	case insolvencyBP < 0 || insolvencyBP > 10000:
		return m, fmt.Errorf("insolvency_rate: %s: want 0%% to 100%%", percent(insolvencyBP))
	case vatBP < 0 || vatBP > 10000:
		return m, fmt.Errorf("default_vat_rate: %s: want 0%% to 100%%", percent(vatBP))
	}
	return m, nil
}

// row reads the rates of one profile over base (nil: none).
func (m Matrix) row(key string, rates map[string]int, base []int) ([]int, error) {
	out := make([]int, len(m.buckets))
	copy(out, base)
	names := make([]string, 0, len(rates))
	for k := range rates {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		i := m.index(k)
		if i < 0 {
			return nil, fmt.Errorf("%s.%s: no such bucket (the buckets of aging.buckets: %v)", key, k, m.BucketNames())
		}
		if bp := rates[k]; bp < 0 || bp > 10000 {
			return nil, fmt.Errorf("%s.%s: %s: want 0%% to 100%%", key, k, percent(bp))
		}
		out[i] = rates[k]
	}
	return out, nil
}

// DefaultMatrix is the matrix of the default configuration: 100 % at 121+
// days, 100 % under insolvency, 20 % VAT assumed.
func DefaultMatrix() Matrix {
	m, err := NewMatrix([]int{30, 60, 90, 120}, map[string]int{"d121_plus": 10000}, nil, DefaultInsolvencyBP, DefaultVATBP)
	if err != nil {
		panic(err) // the defaults are valid
	}
	return m
}

// IsZero reports whether m was never built (the zero Matrix).
func (m Matrix) IsZero() bool { return len(m.buckets) == 0 }

// Buckets are the overdue buckets, in increasing days late.
func (m Matrix) Buckets() []Bucket { return m.buckets }

// BucketNames are the names of the overdue buckets.
func (m Matrix) BucketNames() []string {
	out := make([]string, len(m.buckets))
	for i, b := range m.buckets {
		out[i] = b.Name
	}
	return out
}

// Profiles are the profiles with rates of their own, sorted.
func (m Matrix) Profiles() []string { return m.profiles }

// Rate is the rate (bp) of an invoice daysLate days late under profile
// (a profile without rates of its own takes the default ones), with the
// name of its bucket: "not_due" and 0 while it is not late.
func (m Matrix) Rate(profile string, daysLate int) (bucket string, bp int) {
	i := len(m.buckets) - 1
	for i >= 0 && m.buckets[i].LowerDays > daysLate {
		i--
	}
	if i < 0 {
		return NotDue, 0
	}
	row, ok := m.rates[profile]
	if !ok {
		row = m.rates[""]
	}
	return m.buckets[i].Name, row[i]
}

// Table flattens the matrix for SQL (provision_due, migration 00050): the
// profiles with rates of their own after "" (the default row), the
// buckets' names and fewest days late, and the rates, profile by profile
// in that order, bucket by bucket.
func (m Matrix) Table() (profiles, buckets []string, lowerDays, ratesBP []int32) {
	profiles = append([]string{""}, m.profiles...)
	for _, b := range m.buckets {
		buckets = append(buckets, b.Name)
		lowerDays = append(lowerDays, int32(b.LowerDays))
	}
	for _, p := range profiles {
		for _, r := range m.rates[p] {
			ratesBP = append(ratesBP, int32(r))
		}
	}
	return profiles, buckets, lowerDays, ratesBP
}

func (m Matrix) index(name string) int {
	for i, b := range m.buckets {
		if b.Name == name {
			return i
		}
	}
	return -1
}

// LastBucket is the name of the open-ended bucket the edges make: d121_plus
// for [30 60 90 120].
func LastBucket(edges []int) string {
	b := bucketsOf(edges)
	return b[len(b)-1].Name
}

// bucketsOf names the overdue buckets as aging.Buckets does: every edge
// closes one, the last is open-ended.
func bucketsOf(edges []int) []Bucket {
	var out []Bucket
	lower := 1
	for _, e := range edges {
		out = append(out, Bucket{Name: "d" + strconv.Itoa(lower) + "_" + strconv.Itoa(e), LowerDays: lower})
		lower = e + 1
	}
	return append(out, Bucket{Name: "d" + strconv.Itoa(lower) + "_plus", LowerDays: lower})
}

// percent writes basis points as a percentage for messages: 1250 → "12.5%".
func percent(bp int) string {
	s := strconv.FormatFloat(float64(bp)/100, 'f', -1, 64)
	return s + "%"
}
