package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/provision"
)

// TestInsolvencyProvisionsEveryInvoiceIssuedBeforeTheOpening: whatever
// their age, not yet due included; not what was issued on the judgment's
// day or after, nor credit notes, nor what is paid.
func TestInsolvencyProvisionsEveryInvoiceIssuedBeforeTheOpening(t *testing.T) {
	f, s := newFixture(t)
	c := f.client("I")
	f.invoice(c, "LATE", "2025-05-01", "2025-06-01", 120000)   // 101 days late on 09-10
	f.invoice(c, "NOTDUE", "2025-09-01", "2025-10-01", 60000)  // not yet due
	f.invoice(c, "AFTER", "2025-09-10", "2025-10-10", 30000)   // born on the judgment's day: payable as usual
	f.invoice(c, "CREDIT", "2025-08-01", "2025-08-01", -12000) // a credit note
	paid := f.invoice(c, "PAID", "2025-07-01", "2025-08-01", 24000)
	f.pay(paid, "2025-08-20", 24000)
	f.exec(`UPDATE invoice SET amount_excl_vat = 100000 WHERE number = 'LATE'`)
	if err := s.RecordInsolvency(context.Background(), by("2025-09-12"), "I",
		ledger.Insolvency{Kind: ledger.Liquidation, Opened: d("2025-09-10")}); err != nil {
		t.Fatal(err)
	}
	m := provision.DefaultMatrix()
	if ps, err := s.Provisions(context.Background(), d("2025-09-09"), m); err != nil || len(ps) != 0 {
		t.Fatalf("before the opening: %v %v", ps, err)
	}
	rev, err := s.ReviewProvisions(context.Background(), d("2025-09-12"), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Proposals) != 2 || rev.Reclassified != 2 || rev.Adjusted != 2 {
		t.Errorf("review %+v", rev)
	}
	var proposed []string
	for _, p := range rev.Proposals {
		proposed = append(proposed, fmt.Sprintf("%s %d %d %s", p.Cause, p.RateBP, p.Amount, p.Currency))
	}
	if got, want := strings.Join(proposed, ", "), "insolvency 10000 100000 EUR, insolvency 10000 50000 EUR"; got != want {
		t.Errorf("proposals %s, want %s (LATE, NOTDUE)", got, want)
	}
	ps, err := s.Provisions(context.Background(), d("2025-09-12"), m)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, fmt.Sprintf("%s %s %s %d %d %v %d %d %v", p.Invoice, p.Cause, p.Bucket, p.Outstanding, p.OutstandingExcl,
			p.VATImported, p.RateBP, p.Amount, p.TaxDeductible))
	}
	want := []string{
		"LATE insolvency d91_120 120000 100000 true 10000 100000 true",
		"NOTDUE insolvency not_due 60000 50000 false 10000 50000 true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("provisions\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The same day again, and a replay of the day before: nothing more.
	for _, day := range []string{"2025-09-12", "2025-09-11"} {
		if rev, err := s.ReviewProvisions(context.Background(), d(day), m); err != nil || len(rev.Proposals)+rev.Reclassified+rev.Adjusted != 0 {
			t.Errorf("review of %s again: %+v %v", day, rev, err)
		}
	}
}

func TestWriteOff(t *testing.T) {
	ctx := context.Background()
	f, s := newFixture(t)
	c := f.client("W")
	f.invoice(c, "W1", "2025-01-10", "2025-02-10", 120000) // imported excl.: 1,000.00
	f.exec(`UPDATE invoice SET amount_excl_vat = 100000 WHERE number = 'W1'`)
	w2 := f.invoice(c, "W2", "2025-01-10", "2025-02-10", 60000) // no excl.: 20% assumed
	f.pay(w2, "2025-03-01", 24000)
	f.invoice(c, "W3", "2025-01-10", "2025-02-10", 60000)
	f.invoice(c, "W5", "2025-01-10", "2025-02-10", 60000)
	f.invoice(c, "AV1", "2025-01-20", "2025-01-20", -6000)
	o := ledger.WriteOffOptions{Reason: "liquidation clôturée", DefaultVATBP: 2000}

	// Proposed and provisioned first, as the sweep would after an insolvency.
	f.exec(`UPDATE client SET insolvency_kind = 'liquidation', insolvency_opened_on = '2025-04-01' WHERE id = $1`, c)
	if _, err := s.ReviewProvisions(ctx, d("2025-04-02"), provision.DefaultMatrix()); err != nil {
		t.Fatal(err)
	}
	w, err := s.WriteOff(ctx, by("2025-06-30"), "W1", o)
	if err != nil {
		t.Fatal(err)
	}
	// 1,200.00 unpaid, 1,000.00 excl.: VAT 200.00 recovered, provision 1,000.00 reversed, out of 416.
	if w.Amount != 120000 || w.VAT != 20000 || w.Loss != 100000 || !w.VATImported || !w.Doubtful || w.Reversed != 100000 {
		t.Errorf("W1: %+v", w)
	}
	// 360.00 left of 600.00, 20% assumed: excl. 300.00, VAT 60.00.
	if w, err = s.WriteOff(ctx, by("2025-06-30"), "W2", o); err != nil || w.Amount != 36000 || w.VAT != 6000 || w.VATImported || w.Reversed != 30000 {
		t.Errorf("W2: %+v %v", w, err)
	}
	// No VAT recovery: the whole unpaid amount is the loss.
	o.NoVATRecovery = true
	if w, err = s.WriteOff(ctx, by("2025-06-30"), "W3", o); err != nil || w.Amount != 60000 || w.VAT != 0 || w.Loss != 60000 {
		t.Errorf("W3: %+v %v", w, err)
	}
	invs, err := s.Invoices(ctx, "W", true)
	if err != nil || len(invs) != 2 || invs[0].Number != "AV1" || invs[1].Number != "W5" {
		t.Errorf("open after the write-offs: %+v %v", invs, err)
	}
	for _, tc := range []struct{ number, day, want string }{
		{"W1", "2025-07-01", "ledger: write off W1: already written off on 2025-06-30"},
		{"AV1", "2025-07-01", "a credit note is not written off"},
		{"NOPE", "2025-07-01", "not found"},
	} {
		if _, err := s.WriteOff(ctx, by(tc.day), tc.number, o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.number, err, tc.want)
		}
	}
	// A write-off dated before a later settlement or journal entry is refused.
	w4 := f.invoice(c, "W4", "2025-01-10", "2025-02-10", 60000)
	f.pay(w4, "2025-07-10", 10000)
	if _, err := s.WriteOff(ctx, by("2025-07-05"), "W4", o); err == nil || !strings.Contains(err.Error(), "settled after 2025-07-05") {
		t.Errorf("before a settlement: %v", err)
	}
	if _, err := s.WriteOff(ctx, by("2025-03-15"), "W5", o); err == nil || !strings.Contains(err.Error(), "its journal has an entry on 2025-04-02") {
		t.Errorf("before a journal entry: %v", err)
	}
	if _, err := s.WriteOff(ctx, ledger.Act{Day: d("2025-07-20")}, "W4", o); err == nil || !strings.Contains(err.Error(), "no actor") {
		t.Errorf("no actor: %v", err)
	}
	// The journal of June: three write-offs and the reversals of their
	// provisions (1,000.00, 300.00 and 500.00), balanced.
	entries, err := s.JournalEntries(ctx, d("2025-06-01"), d("2025-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	lines := provision.Lines(entries, provision.DefaultAccounts(), "fr")
	if b := provision.Balance(lines); len(entries) != 6 || len(b) != 1 || b[0].Debit != b[0].Credit ||
		b[0].Debit != 120000+36000+60000+100000+30000+50000 {
		t.Errorf("June: %d entries, balance %+v", len(entries), b)
	}
	for _, e := range entries {
		if e.Actor != "cli:alice" || e.Reason != "liquidation clôturée" {
			t.Errorf("entry %+v: want by cli:alice for the reason given", e)
		}
	}
}

func TestTasks(t *testing.T) {
	ctx := context.Background()
	f, s := newFixture(t)
	c := f.client("T")
	f.invoice(c, "T1", "2025-01-10", "2025-02-10", 60000)
	if err := s.RecordInsolvency(ctx, by("2025-03-05"), "T", ledger.Insolvency{Kind: ledger.Redressement,
		Opened: d("2025-03-01"), Published: d("2025-04-29")}); err != nil {
		t.Fatal(err)
	}
	// Publication + 2 months is Sunday 29 June: the task is due Monday 30.
	next := func(_ string, day time.Time) (time.Time, error) {
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1)
		}
		return day, nil
	}
	for range 2 {
		if n, err := s.ReviewClaimTasks(ctx, d("2025-05-02"), next); err != nil {
			t.Fatal(err)
		} else if tasks, _ := s.Tasks(ctx, ledger.TaskFilter{}); len(tasks) != 1 || !tasks[0].Due.Equal(d("2025-06-30")) {
			t.Errorf("%d created, tasks %+v", n, tasks)
		}
	}
	// The publication was misread: corrected, the task moves to Wednesday 25 June.
	if err := s.RecordInsolvency(ctx, by("2025-05-05"), "T", ledger.Insolvency{Kind: ledger.Redressement,
		Opened: d("2025-03-01"), Published: d("2025-04-25")}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.ReviewClaimTasks(ctx, d("2025-05-05"), next); err != nil || n != 0 {
		t.Errorf("moved: %d created, %v", n, err)
	}
	tasks, err := s.Tasks(ctx, ledger.TaskFilter{DueBy: d("2025-06-25"), Kind: ledger.TaskClaimDeclaration})
	if err != nil || len(tasks) != 1 || !tasks[0].Due.Equal(d("2025-06-25")) || tasks[0].Insolvency.Kind != ledger.Redressement {
		t.Fatalf("tasks %+v %v", tasks, err)
	}
	if tasks, _ := s.Tasks(ctx, ledger.TaskFilter{DueBy: d("2025-06-24")}); len(tasks) != 0 {
		t.Errorf("due by 06-24: %+v", tasks)
	}
	done, err := s.CompleteTask(ctx, by("2025-05-15"), tasks[0].ID, "LRAR 1A 234")
	if err != nil || !done.Done.Equal(d("2025-05-15")) || done.DoneBy != "cli:alice" || !strings.Contains(done.Note, "LRAR 1A 234") {
		t.Errorf("done %+v %v", done, err)
	}
	if _, err := s.CompleteTask(ctx, by("2025-05-16"), tasks[0].ID, ""); err == nil || !strings.Contains(err.Error(), "already done on 2025-05-15") {
		t.Errorf("done twice: %v", err)
	}
	if _, err := s.CompleteTask(ctx, by("2025-05-16"), 999, ""); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
	if open, _ := s.Tasks(ctx, ledger.TaskFilter{}); len(open) != 0 {
		t.Errorf("open tasks %+v", open)
	}
	if all, _ := s.Tasks(ctx, ledger.TaskFilter{Done: true}); len(all) != 1 || !all[0].Due.Equal(d("2025-06-25")) {
		t.Errorf("all tasks %+v", all)
	}
	// A done declaration stays done, whatever the publication says later.
	if err := s.RecordInsolvency(ctx, by("2025-05-20"), "T", ledger.Insolvency{Kind: ledger.Liquidation,
		Opened: d("2025-03-01"), Published: d("2025-04-29")}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.ReviewClaimTasks(ctx, d("2025-06-01"), next); err != nil || n != 0 {
		t.Errorf("after done: %d %v", n, err)
	}
}

func TestClaimItems(t *testing.T) {
	ctx := context.Background()
	f, s := newFixture(t)
	c := f.client("K")
	k1 := f.invoice(c, "K1", "2025-01-10", "2025-02-10", 120000)
	f.pay(k1, "2025-02-20", 20000)
	f.pay(k1, "2025-03-05", 50000) // after the opening: not on the eve
	f.invoice(c, "K2", "2025-03-01", "2025-03-31", 30000)
	if _, _, err := s.ClaimItems(ctx, "K", d("2025-03-01")); err == nil || !strings.Contains(err.Error(), "no insolvency proceeding opened by 2025-03-01") {
		t.Errorf("no proceeding: %v", err)
	}
	if err := s.RecordInsolvency(ctx, by("2025-03-03"), "K", ledger.Insolvency{Kind: ledger.Sauvegarde, Opened: d("2025-03-01")}); err != nil {
		t.Fatal(err)
	}
	cl, items, err := s.ClaimItems(ctx, "K", d("2025-03-10"))
	if err != nil {
		t.Fatal(err)
	}
	if cl.Code != "K" || len(items) != 1 || items[0].Number != "K1" || items[0].Unpaid != 100000 ||
		len(items[0].Settlements) != 1 || items[0].Settlements[0] != (ledger.Settlement{Day: d("2025-02-20"), Amount: money.Amount(20000)}) {
		t.Errorf("claim items %+v", items)
	}
}

func ExampleStore_WriteOff() {
	ctx := context.Background()
	s := exampleStore()
	w, err := s.WriteOff(ctx, ledger.Act{Actor: "cli:alice", Day: clock.Date(2025, 12, 31)}, "F-12",
		ledger.WriteOffOptions{Reason: "liquidation clôturée", DefaultVATBP: 2000})
	if err != nil {
		panic(err)
	}
	fmt.Println("unpaid", w.Amount, "loss", w.Loss, "VAT recovered", w.VAT, "from 416:", w.Doubtful)
	entries, _ := s.JournalEntries(ctx, clock.Date(2025, 12, 1), clock.Date(2025, 12, 31))
	for _, l := range provision.Lines(entries, provision.DefaultAccounts(), "en") {
		fmt.Println(l.Account, l.Aux, l.Debit, l.Credit)
	}
	// Output:
	// unpaid 120000 loss 100000 VAT recovered 20000 from 416: false
	// 654  100000 0
	// 44571  20000 0
	// 411 C1 0 120000
}
