package main

import (
	"strings"
	"testing"
	"time"
)

// The met column says yes, **no**, or — for a row kept beside another for
// reference, which has no target of its own.
func TestReportMetColumn(t *testing.T) {
	rows := []row{
		{What: "met", RatioText: "1.00", Target: "≤ 2 ×", Met: true},
		{What: "missed", RatioText: "7.91", Target: "≤ 2 ×"},
		{What: "reference", RatioText: "37.00", Target: "— (for reference)", Reference: true},
	}
	report := renderReport(rows, options{runs: 3}, time.Date(2026, 11, 30, 7, 16, 0, 0, time.UTC), time.Minute)
	for what, want := range map[string]string{"met": "| yes |", "missed": "| **no** |", "reference": "| — |"} {
		var line string
		for l := range strings.SplitSeq(report, "\n") {
			if strings.HasPrefix(l, "| "+what+" |") {
				line = l
			}
		}
		if !strings.HasSuffix(line, want) {
			t.Errorf("row %q: %q, want it to end with %q", what, line, want)
		}
	}
}
