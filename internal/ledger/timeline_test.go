package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/ledger"
)

func TestTimelineInOrderWithWhoAndWhy(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	c := f.client("C1")
	f1 := f.invoice(c, "F-1", "2025-07-01", "2025-08-01", 100000)
	f.invoice(c, "F-2", "2025-07-05", "2025-08-05", 50000)
	f.exec(`INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_at)
		SELECT id, client_id, 'standard', 'level1', 1, 'email', 'level1', '2025-08-04', 'sent', '2025-08-04 09:00+02' FROM invoice WHERE number = 'F-1'`)
	f.exec(`INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, drop_reason)
		SELECT id, client_id, 'standard', 'level1', 1, 'email', 'level1', '2025-08-06', 'dropped', 'disputed' FROM invoice WHERE number = 'F-2'`)
	if _, err := s.OpenDispute(ctx, by("2025-08-05"), ledger.DisputeOpening{Invoice: "F-2", Reason: "price", Note: "remise oubliée"}); err != nil {
		t.Fatal(err)
	}
	f.pay(f1, "2025-08-20", 100000)
	if _, err := s.PauseClient(ctx, by("2025-08-25"), "C1", "changement de comptable", d("2025-09-05")); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordInsolvency(ctx, by("2025-09-10"), "C1", ledger.Insolvency{Kind: "redressement", Opened: d("2025-09-08"), Published: d("2025-09-20")}); err != nil {
		t.Fatal(err)
	}
	f.exec(`INSERT INTO event (kind, client_id, detail) VALUES ('email_bounced', $1, '{"day": "2025-09-12", "error": "550 5.1.1 unknown user"}')`, c)

	tl, err := s.Timeline(ctx, "C1", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tl {
		got = append(got, fmt.Sprintf("%s %s %s %s %s", e.Day.Format("01-02"), e.Kind, strings.Join(e.Invoices, ","), e.Actor, e.Reason))
	}
	want := []string{
		"07-01 invoice F-1 relance ",
		"07-05 invoice F-2 relance ",
		"08-04 reminder_sent F-1 relance ",
		"08-05 dispute_opened F-2 cli:alice price",
		"08-06 reminder_dropped F-2 relance disputed",
		"08-20 payment  relance ",
		"08-25 client_paused  cli:alice changement de comptable",
		"09-10 insolvency_recorded  cli:alice redressement",
		"09-12 email_bounced  relance 550 5.1.1 unknown user",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if tl[2].Step != "level1" || tl[2].Channel != "email" || tl[5].Amount != 100000 {
		t.Errorf("reminder %+v, payment %+v", tl[2], tl[5])
	}
	_, err = s.Timeline(ctx, "NOPE", time.UTC)
	wantNotFound(t, err)
}
