package ledger

import (
	"fmt"
	"slices"
	"testing"
)

// Every number added twice is a candidate, wherever its two lines fall
// around the moment the filter starts (filterExactNumbers); a batch that
// lists each number once has no candidate left, and a small batch is read
// whole.
func TestNumberFilterKeepsEveryRepeat(t *testing.T) {
	cases := []struct {
		name  string
		rows  int
		twice map[int]int // line of a repeat → line of its first
	}{
		{"small batch", 100, map[int]int{60: 3}},
		{"both before the filter", 10_000, map[int]int{4000: 10}},
		{"either side of its start", 10_000, map[int]int{4096: 4095, 9000: 1}},
		{"both after it", 10_000, map[int]int{9999: 5000}},
		{"none", 10_000, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f numberFilter
			for line := 1; line <= c.rows; line++ {
				n := fmt.Sprintf("F-%d", line)
				if first, ok := c.twice[line]; ok {
					n = fmt.Sprintf("F-%d", first)
				}
				f.add(n)
			}
			among := f.among()
			if c.rows <= filterExactNumbers {
				if among != nil {
					t.Fatalf("a batch of %d rows reads %d candidates, want all its rows", c.rows, len(among))
				}
				return
			}
			if among == nil {
				t.Fatal("a large batch reads all its rows")
			}
			for _, first := range c.twice {
				if n := fmt.Sprintf("F-%d", first); !slices.Contains(among, n) {
					t.Errorf("%s listed twice is not a candidate (%v)", n, among)
				}
			}
			// 10,000 numbers in 2^24 bits: a false positive has a chance
			// in a billion.
			if len(among) != len(c.twice) {
				t.Errorf("candidates %v, want the %d repeated", among, len(c.twice))
			}
		})
	}
}

// Past maxCandidates the check reads the whole batch again.
func TestNumberFilterGivesUpPastMaxCandidates(t *testing.T) {
	var f numberFilter
	for i := range filterExactNumbers + 1 {
		f.add(fmt.Sprintf("F-%d", i))
	}
	for range maxCandidates + 1 {
		f.add("F-1")
	}
	if among := f.among(); among != nil {
		t.Fatalf("%d candidates, want the whole batch read", len(among))
	}
}
