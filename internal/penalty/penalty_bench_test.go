package penalty

import (
	"testing"

	"github.com/relance/relance/internal/clock"
)

// BenchmarkCompute prices one invoice late across two half-years with one
// partial payment, what a level 3+ reminder computes per invoice listed.
func BenchmarkCompute(b *testing.B) {
	rates, err := DefaultRates()
	if err != nil {
		b.Fatal(err)
	}
	calc, err := New("FR", rates, "")
	if err != nil {
		b.Fatal(err)
	}
	debt := Debt{
		Amount:   1_200_000,
		DueDate:  clock.Date(2025, 5, 14),
		Payments: []Payment{{Day: clock.Date(2025, 6, 3), Amount: 200_000}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := calc.Compute(debt, clock.Date(2025, 9, 12)); err != nil {
			b.Fatal(err)
		}
	}
}
