package worker

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/pgtest"
)

// TestSendDropsForACaseOpenedAfterTheSweep: a legal case opened between the
// morning sweep and the send holds its invoice's message (dropped, reason
// legal_case) but not the other invoice of the same client; the next days
// decide nothing for it while the case is open, and the step is decided
// again the day the case closes.
func TestSendDropsForACaseOpenedAfterTheSweep(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	c := f.client("K", "k@client.example")
	held := f.invoice(c, "FA-K1", "2025-08-01", "2025-09-01", 100000)
	free := f.invoice(c, "FA-K2", "2025-08-01", "2025-09-01", 50000)
	day := d("2025-09-02")
	h.clock.set(day.Add(8 * time.Hour))
	if err := h.client.QueuePause(t.Context(), QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	res := sweepDay(t, pool, h.sweeper, h.client, day)
	if len(res.Decisions) != 2 || len(res.Jobs) != 1 {
		t.Fatalf("decisions %v, jobs %d; want level1 for both invoices in one message", decisionsOf(res), len(res.Jobs))
	}
	store := ledger.New(pool, ledger.Options{})
	cs, err := store.OpenCase(t.Context(), ledger.Act{Actor: "cli:alice", Day: day},
		ledger.CaseOpening{Client: "K", Invoices: []string{"FA-K1"}, Procedure: ledger.Agency, WithoutNotice: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.client.QueueResume(t.Context(), QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if dr, err := Drain(ctx, pool, res.JobIDs, 20*time.Millisecond, nil); err != nil || dr.Completed != 1 {
		t.Fatalf("drain %+v %v", dr, err)
	}
	rows, err := pool.Query(t.Context(), `SELECT invoice_id || ':' || status || ':' || coalesce(drop_reason, '') FROM reminder ORDER BY invoice_id`)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := pgxCollectStrings(rows)
	if want := fmt.Sprintf("%d:dropped:legal_case %d:sent:", held, free); strings.Join(got, " ") != want {
		t.Errorf("ledger %v, want %s", got, want)
	}
	msgs := readReceived(t, h.srv)
	if len(msgs) != 1 || !strings.Contains(msgs[0].text, "FA-K2") || strings.Contains(msgs[0].text, "FA-K1") {
		t.Fatalf("messages %v, want level1 for FA-K2 alone", msgs)
	}
	// Open through 09-16: nothing for FA-K1 (FA-K2 gets level 2 on 09-16).
	for day := d("2025-09-03"); day.Before(d("2025-09-17")); day = day.AddDate(0, 0, 1) {
		res, _ := h.day(day)
		for _, dec := range res.Decisions {
			if dec.InvoiceID == held {
				t.Errorf("%s: %s decided for an invoice in a case", formatDay(day), dec.StepID)
			}
		}
	}
	if _, err := store.CloseCase(t.Context(), ledger.Act{Actor: "cli:alice", Day: d("2025-09-17")}, cs.ID,
		ledger.CaseClosing{Outcome: ledger.OutcomeLost}); err != nil {
		t.Fatal(err)
	}
	var again []string
	res, _ = h.day(d("2025-09-17"))
	for _, dec := range res.Decisions {
		again = append(again, fmt.Sprintf("%d/%s", dec.InvoiceID, dec.StepID))
	}
	if want := fmt.Sprintf("%d/level1", held); strings.Join(again, " ") != want {
		t.Errorf("decisions on the day the case closed: %v, want %s", again, want)
	}
}
