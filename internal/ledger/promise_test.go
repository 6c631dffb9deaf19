package ledger_test

import (
	"context"
	"slices"
	"testing"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

func TestPromiseOnAnInvoiceKeptOrBroken(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	a, b := f.client("A"), f.client("B")
	fa := f.invoice(a, "FA-1", "2025-07-01", "2025-08-01", 100000)
	f.invoice(b, "FB-1", "2025-07-01", "2025-08-01", 100000)
	pa, err := s.RecordPromise(ctx, by("2025-09-10"), ledger.PromiseRequest{Target: "FA-1", PayBy: d("2025-09-20")})
	if err != nil {
		t.Fatal(err)
	}
	if pa.Scope != ledger.ScopeInvoice || !pa.Until.Equal(d("2025-09-23")) || pa.Amount != 100000 || pa.Status != "open" ||
		!slices.Equal(pa.Invoices, []string{"FA-1"}) {
		t.Errorf("promise %+v", pa)
	}
	if _, err := s.RecordPromise(ctx, by("2025-09-10"), ledger.PromiseRequest{Target: "FB-1", PayBy: d("2025-09-20"), Amount: 40000}); err != nil {
		t.Fatal(err)
	}
	_, err = s.RecordPromise(ctx, by("2025-09-11"), ledger.PromiseRequest{Target: "FA-1", PayBy: d("2025-09-25")})
	wantErr(t, err, "ledger: promise on FA-1: FA-1 is already under a promise until 2025-09-23")

	f.pay(fa, "2025-09-18", 100000)
	// Settled only once, long after: the outcome is dated by the data, not
	// by the day the sweep noticed it.
	got, err := s.Settle(ctx, d("2025-10-15"))
	if err != nil || got.PromisesKept != 1 || got.PromisesBroken != 1 {
		t.Fatalf("settle: %+v, %v", got, err)
	}
	ps, _ := s.Promises(ctx, "")
	status := map[string]string{}
	for _, p := range ps {
		status[p.Client] = p.Status + " " + p.SettledOn.Format("2006-01-02")
	}
	if status["A"] != "kept 2025-09-18" || status["B"] != "broken 2025-09-24" {
		t.Errorf("statuses %v", status)
	}
	if ev := f.events(a); len(ev) != 2 || ev[1] != "promise_kept relance 2025-09-18 paid" {
		t.Errorf("A's events %q", ev)
	}
	if ev := f.events(b); len(ev) != 2 || ev[1] != "promise_broken relance 2025-09-24 not paid by 2025-09-20" {
		t.Errorf("B's events %q", ev)
	}
	// Settling again changes nothing.
	if got, _ := s.Settle(ctx, d("2025-10-16")); got != (ledger.Settled{}) {
		t.Errorf("second settle: %+v", got)
	}
}

// TestPromiseKeptOrBrokenOnItsDays settles day by day: a broken promise holds
// through its last day and is broken the day after; a partial promise is
// kept the day its amount is paid.
func TestPromiseKeptOrBrokenOnItsDays(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	a := f.client("A")
	fa := f.invoice(a, "FA-1", "2025-07-01", "2025-08-01", 100000)
	f.invoice(a, "FA-2", "2025-07-01", "2025-08-01", 100000)
	if _, err := s.RecordPromise(ctx, by("2025-09-10"), ledger.PromiseRequest{Target: "FA-1", PayBy: d("2025-09-15"), Amount: 50000}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordPromise(ctx, by("2025-09-10"), ledger.PromiseRequest{Target: "FA-2", PayBy: d("2025-09-15")}); err != nil {
		t.Fatal(err)
	}
	f.pay(fa, "2025-09-12", 30000)
	f.pay(fa, "2025-09-14", 20000)
	var kept, broken []string
	for day := d("2025-09-10"); !day.After(d("2025-09-25")); day = day.AddDate(0, 0, 1) {
		got, err := s.Settle(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		if got.PromisesKept > 0 {
			kept = append(kept, day.Format("01-02"))
		}
		if got.PromisesBroken > 0 {
			broken = append(broken, day.Format("01-02"))
		}
	}
	if !slices.Equal(kept, []string{"09-14"}) || !slices.Equal(broken, []string{"09-19"}) {
		t.Errorf("kept on %v (want 09-14), broken on %v (want 09-19: 09-15 + 3 days of grace, the day after)", kept, broken)
	}
}

func TestPromiseForAClient(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	c := f.client("C1")
	f.invoice(c, "F-1", "2025-07-01", "2025-08-01", 100000)
	f.invoice(c, "F-2", "2025-07-15", "2025-08-15", 50000)
	f.invoice(c, "F-3", "2025-08-20", "2025-09-20", 70000) // not due on 09-10: not covered
	p, err := s.RecordPromise(ctx, by("2025-09-10"), ledger.PromiseRequest{Target: "C1", PayBy: d("2025-09-30"), Amount: 120000, Note: "virement fin de mois"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Scope != ledger.ScopeClient || !slices.Equal(p.Invoices, []string{"F-1", "F-2"}) || p.Amount != 120000 {
		t.Errorf("promise %+v", p)
	}
	f.exec(`INSERT INTO payment (entity_id, client_id, received_on, amount) VALUES (1, $1, '2025-09-25', 70000), (1, $1, '2025-09-28', 60000)`, c)
	got, err := s.Settle(ctx, d("2025-10-10"))
	if err != nil || got.PromisesKept != 1 {
		t.Fatalf("settle %+v, %v", got, err)
	}
	ps, _ := s.Promises(ctx, "C1")
	if len(ps) != 1 || ps[0].Status != "kept" || !ps[0].SettledOn.Equal(d("2025-09-28")) || !slices.Equal(ps[0].Invoices, []string{"F-1", "F-2"}) {
		t.Errorf("promises %+v", ps)
	}
	ev := f.events(c)
	if len(ev) != 2 || ev[0] != "promise_made cli:alice 2025-09-10 virement fin de mois" || ev[1] != "promise_kept relance 2025-09-28 paid" {
		t.Errorf("events %q", ev)
	}
}

func TestPromiseRefusals(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	c := f.client("C1")
	f.client("F-1") // a client coded like an invoice
	f.invoice(c, "F-1", "2025-07-01", "2025-08-01", 100000)
	f.client("EMPTY")
	for _, tc := range []struct {
		r    ledger.PromiseRequest
		want string
	}{
		{ledger.PromiseRequest{Target: "F-1", PayBy: d("2025-09-20")}, `"F-1" is both an invoice and a client: write invoice:F-1 or client:F-1`},
		{ledger.PromiseRequest{Target: "invoice:F-1", PayBy: d("2025-09-01")}, "pay by 2025-09-01 is before the day it is made, 2025-09-10"},
		{ledger.PromiseRequest{Target: "invoice:F-1", PayBy: d("2025-09-20"), Amount: money.Amount(100001)}, "1000.01 promised, more than the 1000.00 due"},
		{ledger.PromiseRequest{Target: "EMPTY", PayBy: d("2025-09-20")}, "the client has nothing overdue on 2025-09-10"},
		{ledger.PromiseRequest{Target: "NOPE", PayBy: d("2025-09-20")}, `no invoice or client "NOPE" in entity default: not found`},
		{ledger.PromiseRequest{Target: "client:NOPE", PayBy: d("2025-09-20")}, `no client "NOPE"`},
	} {
		_, err := s.RecordPromise(ctx, by("2025-09-10"), tc.r)
		wantErr(t, err, "ledger: promise on "+tc.r.Target, tc.want)
	}
	if _, err := s.RecordPromise(ctx, by("2025-09-10"), ledger.PromiseRequest{Target: "invoice:F-1", PayBy: d("2025-09-20")}); err != nil {
		t.Error(err)
	}
}
