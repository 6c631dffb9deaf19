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

// TestSendDropsForAPauseOrAnExclusionRecordedAfterTheSweep: a client paused
// and another excluded between the morning sweep and the send get nothing;
// the rows are dropped with the reason.
func TestSendDropsForAPauseOrAnExclusionRecordedAfterTheSweep(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	p := f.invoice(f.client("P", "p@client.example"), "FA-P1", "2025-08-01", "2025-09-01", 100000)
	x := f.invoice(f.client("X", "x@client.example"), "FA-X1", "2025-08-01", "2025-09-01", 100000)
	day := d("2025-09-02")
	h.clock.set(day.Add(8 * time.Hour))
	if err := h.client.QueuePause(t.Context(), QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	res := sweepDay(t, pool, h.sweeper, h.client, day)
	if len(res.Jobs) != 2 {
		t.Fatalf("%d jobs, want one per client", len(res.Jobs))
	}
	store := ledger.New(pool, ledger.Options{})
	by := ledger.Act{Actor: "cli:alice", Day: day}
	if _, err := store.PauseClient(t.Context(), by, "P", "rachat en cours", d("2025-09-30")); err != nil {
		t.Fatal(err)
	}
	if _, err := store.ExcludeClient(t.Context(), by, "X", "suivi par le commercial"); err != nil {
		t.Fatal(err)
	}
	if err := h.client.QueueResume(t.Context(), QueueSend, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if dr, err := Drain(ctx, pool, res.JobIDs, 20*time.Millisecond, nil); err != nil || dr.Completed != 2 {
		t.Fatalf("drain %+v %v", dr, err)
	}
	rows, err := pool.Query(t.Context(), `SELECT invoice_id || ':' || status || ':' || coalesce(drop_reason, '') FROM reminder ORDER BY invoice_id`)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := pgxCollectStrings(rows)
	if want := fmt.Sprintf("%d:dropped:client_paused %d:dropped:client_excluded", p, x); strings.Join(got, " ") != want {
		t.Errorf("ledger %v, want %s", got, want)
	}
	if n := len(h.srv.Messages()); n != 0 {
		t.Errorf("%d messages sent to a paused or excluded client", n)
	}
}

// TestMessageNamesBothPartiesAndTheDebtorsLaw: the creditor's identity comes
// from its entity, the debtor's address from its client, and a German debtor
// is charged under the German rule set (base rate 1.27 % + 9 points in the
// second half of 2025), citing § 288 BGB.
func TestMessageNamesBothPartiesAndTheDebtorsLaw(t *testing.T) {
	pool := pgtest.NewDB(t)
	h := newHarness(t, pool)
	f := fixture{t, pool}
	c := f.client("DE1", "buchhaltung@weber.example")
	f.invoice(c, "FA-DE1", "2025-06-01", "2025-07-01", 1000000)
	ctx := t.Context()
	store := ledger.New(pool, ledger.Options{})
	by := ledger.Act{Actor: "cli:alice", Day: d("2025-08-01")}
	if _, err := store.SetEntity(ctx, by, "default", func(e *ledger.Entity) error {
		e.Name, e.SIREN, e.VAT, e.IBAN, e.BIC = "Atelier Durand SAS", "732829320", "FR44732829320", "FR7630006000011234567890189", "BNPAFRPP"
		e.Address = ledger.Address{Line1: "12 rue des Tanneurs", Postcode: "69002", City: "Lyon"}
		e.Email, e.Phone = "compta@durand.example", "04 72 00 00 00"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SetClient(ctx, by, "DE1", func(cl *ledger.Client) error {
		cl.Name, cl.Country, cl.Locale = "Weber Maschinenbau GmbH", "DE", "en"
		cl.Address = ledger.Address{Line1: "Hauptstraße 5", Postcode: "10115", City: "Berlin"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Due 07-01 and first seen 08-04: level1, then one level a week; level3 on 08-18.
	for day := d("2025-08-04"); !day.After(d("2025-08-18")); day = day.AddDate(0, 0, 7) {
		h.day(day)
	}
	msgs := readReceived(t, h.srv)
	if len(msgs) != 3 || msgs[2].step != "level3" {
		t.Fatalf("messages %v", msgs)
	}
	text := msgs[2].text
	// 10,000.00 × 10.27 % × 48 days (07-02 … 08-18) / 365 = 135.06
	for _, want := range []string{"Atelier Durand SAS", "12 rue des Tanneurs", "69002 Lyon", "FRANCE",
		"SIREN 732 829 320", "FR44732829320", "FR76 3000 6000 0112 3456 7890 189", "BNPAFRPP", "compta@durand.example",
		"Section 288 of the German Civil Code (BGB)", "10.27%", "€135.06"} {
		if !strings.Contains(text, want) {
			t.Errorf("level3 lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "L441") {
		t.Errorf("a German debtor is told about French law:\n%s", text)
	}
}
