package aging

import (
	"bytes"
	"context"
	"math"
	"os"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
)

func TestCountBackDSOOfTheDesignExample(t *testing.T) {
	sales := []MonthSales{
		{Month: clock.Date(2024, 12, 1), Days: 31, Sales: 12000000},
		{Month: clock.Date(2024, 11, 1), Days: 30, Sales: 10000000},
		{Month: clock.Date(2024, 10, 1), Days: 31, Sales: 9000000},
	}
	// 31 + 30 + 30,000/90,000 × 31 = 71.333…
	days, covered := CountBackDSO(25000000, sales)
	if math.Abs(days-71.3333) > 0.001 || !covered {
		t.Errorf("DSO = %.4f (covered %v), want 71.33", days, covered)
	}
	// Exactly the newest month: its length.
	if days, _ := CountBackDSO(12000000, sales); days != 31 {
		t.Errorf("DSO = %v, want 31", days)
	}
	// More than every month: all their days, not covered.
	if days, covered := CountBackDSO(40000000, sales); days != 92 || covered {
		t.Errorf("DSO = %v covered %v, want 92 and false", days, covered)
	}
	if days, _ := CountBackDSO(-5, sales); days != 0 {
		t.Errorf("DSO of a credit balance = %v, want 0", days)
	}
}

func kpiDB(t *testing.T) Querier {
	t.Helper()
	db := portfolioDBFrom(t, "testdata/kpi.sql")
	return db
}

func TestKPIsOfTheHandComputedPortfolio(t *testing.T) {
	db := kpiDB(t)
	k, err := Compute(context.Background(), db, KPIOptions{Options: Options{AsOf: clock.Date(2025, 3, 31), Edges: defaultEdges}, Months: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Currencies) != 1 {
		t.Fatalf("currencies = %+v", k.Currencies)
	}
	c := k.Currencies[0]
	// Receivables at D: I3 3,000.00 + I4 (4,000.00 − 1,000.00) = 6,000.00.
	// Sales: March 4,000.00 (31 days), February 3,000.00 (28 days), January
	// 2,500.00 (I2 2,000.00 + I5 500.00).
	// DSO = 31 + 2,000/3,000 × 28 = 49.666…
	if c.Receivables != 600000 || math.Abs(c.DSO-49.6667) > 0.001 || !c.DSOCovered {
		t.Errorf("receivables %d, DSO %.4f, want 6,000.00 and 49.67", c.Receivables, c.DSO)
	}
	// DMP over invoices settled in full in January–March:
	// I1 2025-01-20 − 2024-12-10 = 41 days × 1,000; I2 2025-03-05 − 2025-01-15
	// = 49 days × 2,000; I5 2025-02-01 − 2025-01-05 = 27 days × 500:
	// (41,000 + 98,000 + 13,500) / 3,500 = 43.571…
	if math.Abs(c.DMP-43.5714) > 0.001 || c.DMPInvoices != 3 {
		t.Errorf("DMP = %.4f over %d invoices, want 43.57 over 3", c.DMP, c.DMPInvoices)
	}
	// CEI: opening (2024-12-31) = I1 1,000.00; net sales 9,500.00; closing
	// 6,000.00; closing not due I4 3,000.00:
	// (1,000 + 9,500 − 6,000) / (1,000 + 9,500 − 3,000) = 4,500 / 7,500 = 60.00%.
	if c.Opening != 100000 || c.NetSales != 950000 || c.Closing != 600000 || c.ClosingCurrent != 300000 || c.CEI.String() != "60.00" {
		t.Errorf("CEI = %s (opening %d sales %d closing %d current %d), want 60.00", c.CEI, c.Opening, c.NetSales, c.Closing, c.ClosingCurrent)
	}
	// Late rate: I3 3,000.00 overdue (d1_30) of 6,000.00 → 50.00%; shares
	// not due 50.00%, 1–30 50.00%.
	if c.LateRate.String() != "50.00" || c.BucketShares[0].String() != "50.00" || c.BucketShares[1].String() != "50.00" {
		t.Errorf("late rate %s shares %v", c.LateRate, c.BucketShares)
	}
	// Cohorts: January 2,500.00: end of Jan 0; end of Feb 500 (I2) + 500 (I5)
	// = 40%; end of Mar 2,500 = 100%. February 3,000.00: 0%, 0%. March
	// 4,000.00: 1,000.00 = 25%.
	want := []struct {
		invoiced  money.Amount
		collected []string
	}{
		{250000, []string{"0.00", "40.00", "100.00"}},
		{300000, []string{"0.00", "0.00"}},
		{400000, []string{"25.00"}},
	}
	if len(c.Cohorts) != len(want) {
		t.Fatalf("cohorts = %+v", c.Cohorts)
	}
	for i, w := range want {
		co := c.Cohorts[i]
		if co.Invoiced != w.invoiced || len(co.Collected) != len(w.collected) {
			t.Errorf("cohort %s = %+v, want %+v", co.Month.Format("2006-01"), co, w)
			continue
		}
		for j, r := range co.Collected {
			if r.String() != w.collected[j] {
				t.Errorf("cohort %s k=%d: %s%%, want %s%%", co.Month.Format("2006-01"), j, r, w.collected[j])
			}
		}
	}
	// Recovery over January–March: due I1 1,000 + I2 2,000 + I3 3,000 +
	// I5 500 = 6,500.00 (I4 falls due in April), collected 1,000 + 2,000
	// + 500 = 3,500.00: 53.85 %. Recovered after a due date, all
	// amicably: I1 1,000 on 01-20 and I2's 1,500 on 03-05 (I2's 500 and I5
	// were paid before their due dates).
	if r := c.Recovery; r.Due != 650000 || r.Collected != 350000 || r.Rate.String() != "53.85" ||
		r.Amicable != 250000 || r.Legal != 0 || r.AmicableShare.String() != "100.00" || r.CostRate.String() != "0.00" {
		t.Errorf("recovery %+v", r)
	}
	// Credit limit: K1 6,000.00 of 10,000.00 = 60% (band 50); K2 owes nothing.
	if len(c.CreditUsage) != 1 || c.CreditUsage[0].ClientCode != "K1" || c.CreditUsage[0].Usage.String() != "60.00" || c.CreditUsage[0].Band != 50 {
		t.Errorf("credit usage = %+v", c.CreditUsage)
	}
}

func TestPayerScoresAreStored(t *testing.T) {
	db := kpiDB(t)
	ctx := context.Background()
	d := clock.Date(2025, 3, 31)
	counts, err := ScorePayers(ctx, db, Options{AsOf: d})
	if err != nil {
		t.Fatal(err)
	}
	// K1: I1 11 days late × 1,000, I2 19 days × 2,000 → 49,000/3,000 = 16.3
	// days → C; all of it paid late (> 50%) → D; everything settled in the
	// last three months, nothing before: no trend.
	// K2: I5 paid 3 days early → 0 days, nothing late → A. K3: no history.
	want := map[string]string{"K1": "D", "K2": "A", "K3": ""}
	rows, err := db.Query(ctx, `SELECT code, COALESCE(payer_score::text, ''), payer_score_at FROM client ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, score string
		var at *time.Time
		if err := rows.Scan(&code, &score, &at); err != nil {
			t.Fatal(err)
		}
		if score != want[code] || at == nil || !at.Equal(d) {
			t.Errorf("%s: score %q at %v, want %q at %s", code, score, at, want[code], d.Format(time.DateOnly))
		}
	}
	if len(counts) != 3 || counts[0] != (ScoreCount{"", 1}) || counts[1] != (ScoreCount{"A", 1}) || counts[2] != (ScoreCount{"D", 1}) {
		t.Errorf("counts = %+v", counts)
	}
}

// The trend moves a grade: a client paying on time a year ago and 40 days
// late lately.
func TestPayerScoreTrend(t *testing.T) {
	db := kpiDB(t)
	ctx := context.Background()
	_, err := db.Exec(ctx, `
INSERT INTO client (entity_id, code, name) VALUES (1, 'K4', 'Nu SA');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, settled)
SELECT 1, id, 'N1', '2024-05-01', '2024-05-31', 100000, 100000 FROM client WHERE code = 'K4';
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, settled)
SELECT 1, id, 'N2', '2024-06-01', '2024-06-30', 100000, 100000 FROM client WHERE code = 'K4';
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, settled)
SELECT 1, id, 'N3', '2025-01-01', '2025-01-31', 100000, 100000 FROM client WHERE code = 'K4';
INSERT INTO allocation (invoice_id, source, amount, applied_on)
SELECT id, 'import', 100000, CASE number WHEN 'N1' THEN date '2024-05-31' WHEN 'N2' THEN date '2024-06-30' ELSE date '2025-03-12' END
FROM invoice WHERE number IN ('N1', 'N2', 'N3');`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ScorePayers(ctx, db, Options{AsOf: clock.Date(2025, 3, 31)}); err != nil {
		t.Fatal(err)
	}
	// Days late 0, 0, 40 at equal amounts: average 13.3 → C; a third paid
	// late → no change; recent 40 − before 0 > 15 → D.
	var score string
	if err := db.QueryRow(ctx, `SELECT payer_score FROM client WHERE code = 'K4'`).Scan(&score); err != nil {
		t.Fatal(err)
	}
	if score != "D" {
		t.Errorf("K4 = %s, want D", score)
	}
}

func portfolioDBFrom(t *testing.T, file string) Querier {
	t.Helper()
	db := pgtestNewDB(t)
	sql, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(context.Background(), string(sql)); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return db
}

func TestKPIGolden(t *testing.T) {
	db := kpiDB(t)
	k, err := Compute(context.Background(), db, KPIOptions{Options: Options{AsOf: clock.Date(2025, 3, 31), Edges: defaultEdges}, Months: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, locale := range []string{"fr", "en"} {
		var b bytes.Buffer
		if err := WriteKPITable(&b, k, locale); err != nil {
			t.Fatal(err)
		}
		golden(t, "kpi_"+locale+".txt", b.Bytes())
	}
	var b bytes.Buffer
	if err := WriteKPIJSON(&b, k); err != nil {
		t.Fatal(err)
	}
	golden(t, "kpi.json", b.Bytes())
}

// Broken promises make a grade worse, once per promised day and at most
// twice, over the twelve months to the as-of date; a client with no
// settled invoice but a broken promise is graded from C.
func TestPayerScoreCountsBrokenPromises(t *testing.T) {
	db := kpiDB(t)
	ctx := context.Background()
	_, err := db.Exec(ctx, `
INSERT INTO client (entity_id, code, name) VALUES (1, 'K5', 'Omicron'), (1, 'K6', 'Pi');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
SELECT 1, c.id, c.code || '-' || n, '2024-12-01', '2024-12-31', 100000 FROM client c, generate_series(1, 2) n WHERE c.code IN ('K2', 'K3', 'K5', 'K6');
-- K2 (A): one promise covering two invoices, broken: one grade. K3 (no
-- history): broken once → D. K5: two broken → C + 2 = E. K6: one broken
-- in March 2024, more than twelve months before: no grade.
INSERT INTO promise (invoice_id, client_id, promised_on, pay_by, until, status, settled_on, scope)
SELECT i.id, i.client_id, p.made, p.pay_by, p.pay_by + 3, 'broken', p.pay_by + 4, 'client'
FROM invoice i JOIN client c ON c.id = i.client_id
JOIN (VALUES ('K2', date '2025-02-01', date '2025-02-10'), ('K3', '2025-02-01', '2025-02-10'),
             ('K5', '2025-01-05', '2025-01-10'), ('K5', '2025-02-01', '2025-02-10'), ('K6', '2024-03-01', '2024-03-10'))
  AS p(code, made, pay_by) ON p.code = c.code
WHERE i.number LIKE c.code || '-%' AND (c.code <> 'K5' OR i.number = 'K5-1');`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ScorePayers(ctx, db, Options{AsOf: clock.Date(2025, 3, 31)}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"K1": "D", "K2": "B", "K3": "D", "K5": "E", "K6": ""}
	for code, w := range want {
		var score string
		if err := db.QueryRow(ctx, `SELECT coalesce(payer_score::text, '') FROM client WHERE code = $1`, code).Scan(&score); err != nil {
			t.Fatal(err)
		}
		if score != w {
			t.Errorf("%s = %q, want %q", code, score, w)
		}
	}
	// Replayed before the promises broke, the grades are those without them.
	if _, err := ScorePayers(ctx, db, Options{AsOf: clock.Date(2025, 1, 31)}); err != nil {
		t.Fatal(err)
	}
	var k3 string
	if err := db.QueryRow(ctx, `SELECT coalesce(payer_score::text, '') FROM client WHERE code = 'K3'`).Scan(&k3); err != nil || k3 != "" {
		t.Errorf("K3 on 2025-01-31: %q, %v; want no grade", k3, err)
	}
}

// TestComputeReadOnlyStoresNoScore: the dashboard's KPIs leave the payer
// scores `relance kpi` stores alone.
func TestComputeReadOnlyStoresNoScore(t *testing.T) {
	db := portfolioDB(t)
	ctx := context.Background()
	k, err := Compute(ctx, db, KPIOptions{Options: Options{AsOf: asOf, Edges: defaultEdges}, Months: 3, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var scored int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM client WHERE payer_score_at IS NOT NULL`).Scan(&scored); err != nil {
		t.Fatal(err)
	}
	if scored != 0 || len(k.PayerScores) != 0 || len(k.Currencies) == 0 {
		t.Errorf("%d clients scored, scores %v, %d currencies: want none scored and the KPIs", scored, k.PayerScores, len(k.Currencies))
	}
	if _, err := Compute(ctx, db, KPIOptions{Options: Options{AsOf: asOf, Edges: defaultEdges}, Months: 3}); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT count(*) FROM client WHERE payer_score_at IS NOT NULL`).Scan(&scored); err != nil || scored == 0 {
		t.Errorf("relance kpi's Compute scored %d clients (%v)", scored, err)
	}
}
