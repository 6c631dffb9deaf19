package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

func payment(line int, invoice, day string, amount money.Amount) ledger.BatchPayment {
	return ledger.BatchPayment{Line: line, Invoice: ptr(invoice), Received: d(day), Amount: amount, Currency: "EUR"}
}

func freshness(t *testing.T, s *ledger.Store) map[string]time.Time {
	t.Helper()
	list, err := s.Freshness(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]time.Time{}
	for _, f := range list {
		out[f.Kind] = f.AsOf
	}
	return out
}

// Every batch records the as-of of its data, per kind: invoices, payments,
// and payment data from an invoice batch that says what is paid; a batch
// of older data moves nothing back.
func TestBatchesRecordTheirDataAsOf(t *testing.T) {
	f, s := newFixture(t)
	at := func(h int) time.Time { return time.Date(2025, 9, 10, h, 0, 0, 0, time.UTC) }
	if got := freshness(t, s); len(got) != 0 {
		t.Fatalf("before any batch: %v", got)
	}
	applyInvoices(t, f, s, by("2025-09-10"), false, invoiceRow(1, "F-1", "C1", 100000), invoiceRow(2, "F-2", "C1", 50000))
	got := freshness(t, s)
	if _, ok := got[ledger.DataPayments]; ok || got[ledger.DataInvoices].IsZero() {
		t.Errorf("after invoices without `paid`: %v, want invoices only", got)
	}

	applyPaymentsAsOf(t, f, s, by("2025-09-10"), at(6), payment(1, "F-1", "2025-09-09", 10000))
	if got := freshness(t, s); !got[ledger.DataPayments].Equal(at(6)) {
		t.Errorf("after payments as of 06:00: %v", got)
	}
	applyPaymentsAsOf(t, f, s, by("2025-09-10"), at(2), payment(1, "F-1", "2025-09-08", 500))
	if got := freshness(t, s); !got[ledger.DataPayments].Equal(at(6)) {
		t.Errorf("older payments moved the as-of back: %v", got)
	}

	paid := invoiceRow(1, "F-2", "C1", 50000)
	paid.Paid = ptr(money.Amount(50000))
	applyInvoicesAsOf(t, f, s, by("2025-09-10"), at(9), false, paid)
	// The first invoice batch said no as-of: the moment it was applied,
	// later than 09:00, stays.
	if got := freshness(t, s); !got[ledger.DataPayments].Equal(at(9)) || !got[ledger.DataInvoices].After(at(9)) {
		t.Errorf("after invoices saying what is paid, as of 09:00: %v", got)
	}
}

// A client's outstanding crossing 50, 70, 90 and 100 % of its credit limit
// raises one alert per crossing upward, naming the highest threshold; a
// batch that changes nothing raises nothing; a payment that brings it back
// down re-arms the thresholds above.
func TestCreditLimitAlertsOncePerCrossingUpward(t *testing.T) {
	f, s := newFixture(t)
	first := invoiceRow(1, "F-1", "C1", 55000) // 55 % of 1,000.00
	first.Client = ledger.ClientPatch{Name: ptr("Martin"), CreditLimit: ptr(money.Amount(100000))}
	a, _ := applyInvoices(t, f, s, by("2025-09-01"), false, first, invoiceRow(2, "F-0", "C2", 999999))
	if a.Alerts != 1 {
		t.Errorf("55 %%: %d alerts, want 1 (C2 has no limit)", a.Alerts)
	}
	a, _ = applyInvoices(t, f, s, by("2025-09-02"), false, first)
	if a.Alerts != 0 {
		t.Errorf("the same batch again: %d alerts", a.Alerts)
	}
	a, _ = applyInvoices(t, f, s, by("2025-09-03"), false, invoiceRow(1, "F-2", "C1", 40000)) // 95 %
	if a.Alerts != 1 {
		t.Errorf("95 %%: %d alerts, want 1", a.Alerts)
	}
	p := applyPayments(t, f, s, by("2025-09-04"), payment(1, "F-2", "2025-09-04", 40000)) // back to 55 %
	if p.Alerts != 0 {
		t.Errorf("a payment raised %d alerts", p.Alerts)
	}
	a, _ = applyInvoices(t, f, s, by("2025-09-05"), false, invoiceRow(1, "F-3", "C1", 60000)) // 115 %
	if a.Alerts != 1 {
		t.Errorf("115 %%: %d alerts, want 1", a.Alerts)
	}

	rows, err := f.pool.Query(context.Background(), `SELECT day::text, detail ->> 'threshold', detail -> 'crossed', detail ->> 'balance', actor
		FROM event WHERE kind = 'alert_credit_limit' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var day, threshold, crossed, balance, actor string
		if err := rows.Scan(&day, &threshold, &crossed, &balance, &actor); err != nil {
			t.Fatal(err)
		}
		got = append(got, day+" "+threshold+" "+crossed+" "+balance+" "+actor)
	}
	want := []string{
		"2025-09-01 50 [50] 55000 cli:alice",
		"2025-09-03 90 [70, 90] 95000 cli:alice",
		"2025-09-05 100 [70, 90, 100] 115000 cli:alice",
	}
	if len(got) != len(want) {
		t.Fatalf("alerts:\n%v\nwant:\n%v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("alert %d: %s, want %s", i, got[i], want[i])
		}
	}
}
