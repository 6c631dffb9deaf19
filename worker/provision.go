package worker

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/relance/relance/internal/config"
)

// ProvisionMatrix gives the provision rate of each aging bucket. Buckets are
// named as in the aged balance: d1_30, d31_60, …, d121_plus.
type ProvisionMatrix struct {
	Names     []string // bucket names, in increasing order of days late
	LowerDays []int32  // the fewest days late in each bucket
	RateBP    []int32  // rate in basis points (10000 = 100%)
}

// NewProvisionMatrix builds the matrix from the aging bucket edges
// (cfg.Aging.Buckets, e.g. [30 60 90 120]) and the configured rates
// (cfg.Provision.Rates, e.g. {d121_plus: 100%}). A bucket without a rate
// provisions at 0%: the proposal still flags the invoice. A rate naming no
// bucket is an error.
func NewProvisionMatrix(edges []int, rates map[string]string) (ProvisionMatrix, error) {
	var m ProvisionMatrix
	lower := 1
	for _, e := range edges {
		m.Names = append(m.Names, "d"+strconv.Itoa(lower)+"_"+strconv.Itoa(e))
		m.LowerDays = append(m.LowerDays, int32(lower))
		lower = e + 1
	}
	m.Names = append(m.Names, "d"+strconv.Itoa(lower)+"_plus")
	m.LowerDays = append(m.LowerDays, int32(lower))
	m.RateBP = make([]int32, len(m.Names))
	keys := make([]string, 0, len(rates))
	for k := range rates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		i := indexOf(m.Names, k)
		if i < 0 {
			return m, fmt.Errorf("provision.rates.%s: no such bucket (buckets: %v)", k, m.Names)
		}
		bp, err := config.ParsePercent(rates[k])
		if err != nil || bp > 10000 {
			return m, fmt.Errorf("provision.rates.%s: %q: want a percentage between 0%% and 100%%", k, rates[k])
		}
		m.RateBP[i] = int32(bp)
	}
	return m, nil
}

// withDefaults returns m, or the default matrix (100% at 121+) when m is
// empty.
func (m ProvisionMatrix) withDefaults() ProvisionMatrix {
	if len(m.Names) > 0 {
		return m
	}
	d, _ := NewProvisionMatrix([]int{30, 60, 90, 120}, map[string]string{"d121_plus": "100%"})
	return d
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
