package provision_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/provision"
)

func TestMatrixRates(t *testing.T) {
	m, err := provision.NewMatrix([]int{30, 60, 90, 120}, map[string]int{"d121_plus": 10000},
		map[string]map[string]int{"risky": {"d91_120": 5000}}, 10000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		profile    string
		daysLate   int
		bucket     string
		rateBP     int
		assumption string
	}{
		{"standard", 0, "not_due", 0, "not late: nothing"},
		{"standard", 91, "d91_120", 0, "the default row has no rate at 91–120"},
		{"standard", 121, "d121_plus", 10000, "100% from 121 days"},
		{"risky", 90, "d61_90", 0, "risky overrides 91–120 only"},
		{"risky", 91, "d91_120", 5000, "risky: 50% at 91–120"},
		{"risky", 400, "d121_plus", 10000, "risky keeps the default 100% at 121+"},
		{"", 121, "d121_plus", 10000, "no profile: the default row"},
		{"key_account", 125, "d121_plus", 10000, "a profile without rates of its own: the default row"},
	}
	for _, tc := range tests {
		b, bp := m.Rate(tc.profile, tc.daysLate)
		if b != tc.bucket || bp != tc.rateBP {
			t.Errorf("%s: Rate(%q, %d) = %s %d, want %s %d", tc.assumption, tc.profile, tc.daysLate, b, bp, tc.bucket, tc.rateBP)
		}
	}
	profiles, buckets, lower, rates := m.Table()
	if !slices.Equal(profiles, []string{"", "risky"}) || !slices.Equal(buckets, []string{"d1_30", "d31_60", "d61_90", "d91_120", "d121_plus"}) ||
		!slices.Equal(lower, []int32{1, 31, 61, 91, 121}) || !slices.Equal(rates, []int32{0, 0, 0, 0, 10000, 0, 0, 0, 5000, 10000}) {
		t.Errorf("table %v %v %v %v", profiles, buckets, lower, rates)
	}
}

// The matrix names its buckets as the aged balance does.
func TestMatrixBucketsAreTheAgedBalances(t *testing.T) {
	for _, edges := range [][]int{{30, 60, 90, 120}, {15, 30, 60}, {45}} {
		m, err := provision.NewMatrix(edges, nil, nil, 10000, 2000)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, b := range aging.Buckets(edges)[1:] {
			want = append(want, b.Name)
			if _, bp := m.Rate("", b.Min); bp != 0 {
				t.Errorf("%v: %s has rate %d without any set", edges, b.Name, bp)
			}
		}
		if got := m.BucketNames(); !slices.Equal(got, want) {
			t.Errorf("%v: buckets %v, the aged balance's %v", edges, got, want)
		}
		if last := provision.LastBucket(edges); last != want[len(want)-1] {
			t.Errorf("%v: last bucket %s, want %s", edges, last, want[len(want)-1])
		}
	}
}

func TestMatrixErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		rates    map[string]int
		profiles map[string]map[string]int
		ins, vat int
		want     string
	}{
		{map[string]int{"d121_plus": 10000}, nil, 10000, 2000, ""},
		{map[string]int{"d91_12": 5000}, nil, 10000, 2000, "rates.d91_12: no such bucket"},
		{map[string]int{"d121_plus": 12000}, nil, 10000, 2000, "rates.d121_plus: 120%: want 0% to 100%"},
		{nil, map[string]map[string]int{"risky": {"d200_plus": 5000}}, 10000, 2000, "profiles.risky.d200_plus: no such bucket"},
		{nil, nil, 10001, 2000, "insolvency_rate: 100.01%"},
		{nil, nil, 10000, -1, "default_vat_rate: -0.01%"},
	}
	for _, tc := range tests {
		_, err := provision.NewMatrix([]int{30, 60, 90, 120}, tc.rates, tc.profiles, tc.ins, tc.vat)
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v %v %d %d: %v, want %q", tc.rates, tc.profiles, tc.ins, tc.vat, err, tc.want)
		}
	}
}

func TestExclVAT(t *testing.T) {
	excl := func(a money.Amount) *money.Amount { return &a }
	tests := []struct {
		outstanding, incl money.Amount
		excl              *money.Amount
		vatBP             int
		want              money.Amount
		why               string
	}{
		{120000, 120000, excl(100000), 2000, 100000, "imported ratio, all unpaid"},
		{60000, 120000, excl(100000), 2000, 50000, "imported ratio, half paid"},
		{100000, 100000, nil, 2000, 83333, "20% assumed: 1,000.00 / 1.2 = 833.333…"},
		{100001, 100000, nil, 2000, 83334, "1,000.01 / 1.2 = 833.341…"},
		{12345, 12345, excl(12345), 2000, 12345, "no VAT on the invoice (exports): none recovered"},
		{1000, 1000, nil, 550, 948, "5.5% assumed: 10.00 / 1.055 = 9.478…"},
		{0, 1000, nil, 2000, 0, "nothing unpaid"},
		{-500, 1000, nil, 2000, 0, "overpaid"},
		{1, 3, excl(1), 0, 0, "a third of a cent rounds down"},
		{3, 6, excl(1), 0, 1, "half a cent rounds up"},
	}
	for _, tc := range tests {
		if got := provision.ExclVAT(tc.outstanding, tc.incl, tc.excl, tc.vatBP); got != tc.want {
			t.Errorf("%s: ExclVAT(%d, %d, %v, %d) = %d, want %d", tc.why, tc.outstanding, tc.incl, tc.excl, tc.vatBP, got, tc.want)
		}
	}
	if got := provision.Of(83333, 5000); got != 41667 {
		t.Errorf("50%% of 833.33 = %d, want 416.67 (half up)", got)
	}
}
