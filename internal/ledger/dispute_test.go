package ledger_test

import (
	"context"
	"testing"

	"github.com/relance/relance/internal/ledger"
)

func TestOpenAndResolveDispute(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	c := f.client("C1")
	f.invoice(c, "F-12", "2025-08-01", "2025-09-01", 120000)
	dsp, err := s.OpenDispute(ctx, by("2025-09-05"), ledger.DisputeOpening{Invoice: "F-12", Reason: "quality", Note: "pièces rayées"})
	if err != nil {
		t.Fatal(err)
	}
	if dsp.ID == 0 || dsp.Client != "C1" || !dsp.Holds(d("2025-09-05")) || dsp.Holds(d("2025-09-04")) || dsp.Outstanding != 120000 {
		t.Errorf("opened %+v", dsp)
	}
	_, err = s.OpenDispute(ctx, by("2025-09-06"), ledger.DisputeOpening{Invoice: "F-12", Reason: "price"})
	wantErr(t, err, "ledger: open dispute on F-12: already in dispute since 2025-09-05 (quality)")
	_, err = s.ResolveDispute(ctx, by("2025-09-04"), "F-12", "avoir")
	wantErr(t, err, "ledger: resolve dispute on F-12: it opens on 2025-09-05, after 2025-09-04")
	res, err := s.ResolveDispute(ctx, by("2025-09-20"), "F-12", "avoir AV-3 émis")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resolved.Equal(d("2025-09-20")) || res.Outcome != "avoir AV-3 émis" || res.ResolvedBy != "cli:alice" ||
		!res.Holds(d("2025-09-19")) || res.Holds(d("2025-09-20")) {
		t.Errorf("resolved %+v", res)
	}
	_, err = s.ResolveDispute(ctx, by("2025-09-21"), "F-12", "")
	wantErr(t, err, "ledger: resolve dispute on F-12: no dispute is open on it")
	open, _ := s.Disputes(ctx, ledger.DisputeFilter{HoldingOn: d("2025-09-21")})
	all, _ := s.Disputes(ctx, ledger.DisputeFilter{})
	if len(open) != 0 || len(all) != 1 {
		t.Errorf("open %d, all %d", len(open), len(all))
	}
	want := []string{"dispute_opened cli:alice 2025-09-05 quality", "dispute_resolved cli:alice 2025-09-20 avoir AV-3 émis"}
	if got := f.events(c); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestOpenDisputeRefusals(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	c := f.client("C1")
	paid := f.invoice(c, "F-PAID", "2025-08-01", "2025-09-01", 1000)
	f.pay(paid, "2025-09-02", 1000)
	f.invoice(c, "F-OK", "2025-08-01", "2025-09-01", 1000)
	f.invoice(c, "AV-1", "2025-08-01", "2025-08-01", -500)
	f.invoice(c, "F-LATER", "2025-09-20", "2025-10-20", 1000)
	tests := []struct {
		o    ledger.DisputeOpening
		want string
	}{
		{ledger.DisputeOpening{Invoice: "F-PAID", Reason: "price"}, "ledger: open dispute on F-PAID: invoice is paid"},
		{ledger.DisputeOpening{Invoice: "F-NONE", Reason: "price"}, "ledger: open dispute on F-NONE: invoice not found in entity default"},
		{ledger.DisputeOpening{Invoice: "AV-1", Reason: "price"}, "ledger: open dispute on AV-1: a credit note cannot be disputed"},
		{ledger.DisputeOpening{Invoice: "F-LATER", Reason: "price"}, "ledger: open dispute on F-LATER: issued on 2025-09-20, after 2025-09-10"},
		{ledger.DisputeOpening{Invoice: "F-OK", Reason: "colour"}, `ledger: open dispute on F-OK: reason "colour": want one of price, quantity, quality, delivery, billing, other`},
		{ledger.DisputeOpening{Invoice: "F-OK", Reason: "price", Until: d("2025-09-01")}, "until 2025-09-01 is before the day it opens, 2025-09-10"},
	}
	for _, tc := range tests {
		_, err := s.OpenDispute(ctx, by("2025-09-10"), tc.o)
		wantErr(t, err, tc.want)
	}
	// Paid after the day it is opened for: it was unpaid then.
	if _, err := s.OpenDispute(ctx, by("2025-09-01"), ledger.DisputeOpening{Invoice: "F-PAID", Reason: "price"}); err != nil {
		t.Errorf("a dispute dated before the payment: %v", err)
	}
	_, err := s.OpenDispute(ctx, by("2025-09-10"), ledger.DisputeOpening{Invoice: "F-NONE", Reason: "price"})
	wantNotFound(t, err)
}

func TestOpenDisputesIsAllOrNothing(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	c := f.client("C1")
	for _, n := range []string{"F-1", "F-2", "F-3"} {
		f.invoice(c, n, "2025-08-01", "2025-09-01", 1000)
	}
	_, err := s.OpenDisputes(ctx, by("2025-09-10"), []ledger.DisputeOpening{
		{Invoice: "F-1", Reason: "price"}, {Invoice: "F-9", Reason: "price"}, {Invoice: "F-2", Reason: "nope"}, {Invoice: "F-1", Reason: "price"},
	})
	wantErr(t, err, "on F-9: invoice not found", `on F-2: reason "nope"`, "on F-1: listed twice")
	if all, _ := s.Disputes(ctx, ledger.DisputeFilter{}); len(all) != 0 {
		t.Errorf("%d disputes opened by a refused batch", len(all))
	}
	ds, err := s.OpenDisputes(ctx, by("2025-09-10"), []ledger.DisputeOpening{{Invoice: "F-1", Reason: "price"}, {Invoice: "F-3", Reason: "billing"}})
	if err != nil || len(ds) != 2 || ds[0].ID == 0 || ds[1].ID == 0 || ds[1].Invoice != "F-3" {
		t.Errorf("batch: %+v, %v", ds, err)
	}
	if n := len(f.events(c)); n != 2 {
		t.Errorf("%d events, want one per dispute", n)
	}
}

// TestDisputeWithAnEndLapses: a dispute opened --until a day holds the
// invoice through that day; Settle closes it the day after, and a new one
// can be opened.
func TestDisputeWithAnEndLapses(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	c := f.client("C1")
	f.invoice(c, "F-1", "2025-08-01", "2025-09-01", 1000)
	dsp, err := s.OpenDispute(ctx, by("2025-09-05"), ledger.DisputeOpening{Invoice: "F-1", Reason: "delivery", Until: d("2025-09-15")})
	if err != nil {
		t.Fatal(err)
	}
	if !dsp.Holds(d("2025-09-15")) || dsp.Holds(d("2025-09-16")) {
		t.Errorf("%+v holds the wrong days", dsp)
	}
	if got, _ := s.Disputes(ctx, ledger.DisputeFilter{HoldingOn: d("2025-09-16")}); len(got) != 0 {
		t.Errorf("listed as holding after its end: %+v", got)
	}
	settled, err := s.Settle(ctx, d("2025-09-15"))
	if err != nil || settled.DisputesLapsed != 0 {
		t.Fatalf("settle on its last day: %+v, %v", settled, err)
	}
	if settled, err = s.Settle(ctx, d("2025-09-20")); err != nil || settled.DisputesLapsed != 1 {
		t.Fatalf("settle after: %+v, %v", settled, err)
	}
	all, _ := s.Disputes(ctx, ledger.DisputeFilter{})
	if len(all) != 1 || !all[0].Resolved.Equal(d("2025-09-16")) || all[0].Outcome != "lapsed" || all[0].ResolvedBy != "relance" {
		t.Errorf("after settle: %+v", all)
	}
	if _, err := s.OpenDispute(ctx, by("2025-09-25"), ledger.DisputeOpening{Invoice: "F-1", Reason: "quality"}); err != nil {
		t.Errorf("a new dispute after the lapse: %v", err)
	}
	ev := f.events(c)
	if len(ev) != 3 || ev[1] != "dispute_lapsed relance 2025-09-16 delivery" {
		t.Errorf("events %q", ev)
	}
}
