package plans

import (
	"testing"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/clock"
)

// BenchmarkResolve decides one invoice with a three-step history, the common
// case of the daily evaluation; the preview runs it once per open invoice.
func BenchmarkResolve(b *testing.B) {
	set, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	cal, err := calendar.For("FR")
	if err != nil {
		b.Fatal(err)
	}
	in := Input{
		AsOf:        clock.Date(2025, 9, 15),
		DueDate:     clock.Date(2025, 7, 14),
		Outstanding: 1_200_000,
		NetBalance:  1_200_000,
		Calendar:    cal,
		Profile:     set.Profile("standard"),
		Ledger: []LedgerEntry{
			{StepID: "level1", Day: clock.Date(2025, 7, 16)},
			{StepID: "level2", Day: clock.Date(2025, 7, 29)},
			{StepID: "level3", Day: clock.Date(2025, 8, 14)},
		},
	}
	b.ReportAllocs()
	for b.Loop() {
		if d := Resolve(in); d.Message == nil || d.Message.ID != "level4" {
			b.Fatalf("decision %+v, want level4", d)
		}
	}
}
