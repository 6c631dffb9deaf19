package aging

import (
	"context"
	"math"
	"testing"

	"github.com/relance/relance/internal/clock"
)

// TestRecoveryKPIsComputedByHand checks each recovery KPI of
// testdata/recovery.sql against the hand computation of docs/kpi.md, over
// January–March 2025, a registered letter costing 7.65.
func TestRecoveryKPIsComputedByHand(t *testing.T) {
	db := portfolioDBFrom(t, "testdata/recovery.sql")
	k, err := Compute(context.Background(), db, KPIOptions{Options: Options{AsOf: clock.Date(2025, 3, 31), Edges: defaultEdges},
		Months: 3, LetterCost: 765})
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Currencies) != 1 {
		t.Fatalf("currencies %+v", k.Currencies)
	}
	r := k.Currencies[0].Recovery
	// Due: A1 1,000.00 − 100.00 paid before the window = 900.00; A2
	// 2,000.00 − the 300.00 credit note = 1,700.00; A3 500.00; A6 800.00 −
	// 800.00 written off = 0; A4 is not due, A5 was paid before. 3,100.00.
	// Collected: A1 200 + 500 + 100 + 50; A2 1,000 (not the 200.00 lettered
	// on 03-28 from a payment received on 04-02); A3 500: 2,350.00.
	// 2,350 ÷ 3,100 = 75.81 %.
	if r.Due != 310000 || r.Collected != 235000 || r.Rate.String() != "75.81" {
		t.Errorf("recovery rate %s%% (%d of %d), want 75.81%% (2,350.00 of 3,100.00)", r.Rate, r.Collected, r.Due)
	}
	// Recovered after the due date: A1 200 (the case's opening day) + 50
	// (after its close) and A2 1,000 amicably; A1 500 + 100 (its closing
	// day) in the case. A3 and A4 were paid before their due dates.
	// 1,250 ÷ 1,850 = 67.57 %, 600 ÷ 1,850 = 32.43 %.
	if r.Amicable != 125000 || r.Legal != 60000 || r.AmicableShare.String() != "67.57" || r.LegalShare.String() != "32.43" {
		t.Errorf("amicable %d (%s%%), legal %d (%s%%); want 1,250.00 (67.57%%) and 600.00 (32.43%%)",
			r.Amicable, r.AmicableShare, r.Legal, r.LegalShare)
	}
	// Costs: fees 35.00 + bailiff 89.50 (the commission of December is
	// before the window); two letters (01-02 for A1 and A6 is one letter,
	// 03-05) × 7.65 = 15.30. 139.80 ÷ 1,850.00 = 7.56 %.
	if r.CaseCosts != 12450 || r.Letters != 2 || r.LetterCosts != 1530 || r.CostRate.String() != "7.56" {
		t.Errorf("costs %d + %d letters %d: %s%%, want 124.50 + 2 letters 15.30: 7.56%%", r.CaseCosts, r.Letters, r.LetterCosts, r.CostRate)
	}
	// Promises: kept 02-01 and 03-01, R2's client promise broken 03-09
	// (two rows, one promise): 2 ÷ 3 = 66.67 %.
	if p := k.Promises; p.Kept != 2 || p.Broken != 1 || p.KeptRate.String() != "66.67" {
		t.Errorf("promises %+v, want 2 kept, 1 broken, 66.67%%", p)
	}
	// Disputes resolved in the window: 14 and 60 days → 37.00; the lapsed
	// one is left out. Open at D: since 03-21, 10 days.
	if d := k.Disputes; d.Resolved != 2 || math.Abs(d.MeanDays-37) > 1e-9 || d.Open != 1 || math.Abs(d.OpenMeanAge-10) > 1e-9 {
		t.Errorf("disputes %+v, want 2 resolved in 37 days, 1 open for 10", d)
	}

	// Replayed on 2025-02-28 over February alone: A1's 500.00 (legal) and
	// nothing else recovered after a due date; A2's credit note cancels 300.00.
	k, err = Compute(context.Background(), db, KPIOptions{Options: Options{AsOf: clock.Date(2025, 2, 28), Edges: defaultEdges}, Months: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Due: A1 1,000 − 300 paid before 02-01 = 700; A2 2,000 − 300 = 1,700;
	// A6 800 (written off only in March); A5 paid before. Collected: A1
	// 500. 500 ÷ 3,200 = 15.63 %.
	r = k.Currencies[0].Recovery
	if r.Due != 320000 || r.Rate.String() != "15.63" || r.Collected != 50000 || r.Legal != 50000 || r.Amicable != 0 || r.CaseCosts != 8950 || r.Letters != 0 {
		t.Errorf("February: %+v", r)
	}
}
