// Package aging computes the aged balance (balance âgée) and the collection
// KPIs (DSO, DMP, CEI, recovery by cohort, payer score, credit limit usage)
// straight from the ledger tables, in set-based SQL, for any as-of date.
package aging

import (
	"fmt"
	"strconv"
)

// Bucket is one column of the aged balance: a range of days late, bounds
// inclusive. The first bucket is "not due" (days late ≤ 0, Min is 0 and means
// "and below"); the last is open-ended (Max is 0).
type Bucket struct {
	Name string // stable machine name used in CSV and JSON: not_due, d1_30, …, d121_plus
	Min  int    // smallest days late in the bucket (1 for the first overdue bucket)
	Max  int    // largest days late in the bucket; 0 for the open last bucket
}

// Label returns the bucket's heading in locale (fr or en).
func (b Bucket) Label(locale string) string {
	fr := locale == "fr"
	switch {
	case b.Name == NotDue && fr:
		return "Non échu"
	case b.Name == NotDue:
		return "Not due"
	case b.Max == 0 && fr:
		return strconv.Itoa(b.Min) + " j et +"
	case b.Max == 0:
		return strconv.Itoa(b.Min) + "+"
	case fr:
		return fmt.Sprintf("%d–%d j", b.Min, b.Max)
	}
	return fmt.Sprintf("%d–%d", b.Min, b.Max)
}

// NotDue is the name of the first bucket.
const NotDue = "not_due"

// Buckets turns the configured upper edges of the overdue buckets (every one
// but the last, as config.Aging.Buckets holds them) into the full list:
// [30 60 90 120] gives not_due, d1_30, d31_60, d61_90, d91_120, d121_plus.
// Edges must be positive and increasing (config validates them).
func Buckets(edges []int) []Bucket {
	bs := []Bucket{{Name: NotDue}}
	lo := 1
	for _, e := range edges {
		bs = append(bs, Bucket{Name: fmt.Sprintf("d%d_%d", lo, e), Min: lo, Max: e})
		lo = e + 1
	}
	return append(bs, Bucket{Name: fmt.Sprintf("d%d_plus", lo), Min: lo})
}

// thresholds returns the lower bounds PostgreSQL's width_bucket(days, bounds)
// needs to give each item its bucket index: days ≤ 0 → 0 (not due), then
// 1 for the first overdue bucket, and so on.
func thresholds(bs []Bucket) []int32 {
	t := make([]int32, 0, len(bs)-1)
	for _, b := range bs[1:] {
		t = append(t, int32(b.Min))
	}
	return t
}

// BucketOf returns the index in bs of the bucket holding daysLate.
func BucketOf(bs []Bucket, daysLate int) int {
	for i := len(bs) - 1; i > 0; i-- {
		if daysLate >= bs[i].Min {
			return i
		}
	}
	return 0
}
