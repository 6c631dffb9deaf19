package ledger_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/relance/relance/internal/ledger"
)

// sent records a message sent on day for an invoice, as the send worker
// leaves it in the reminder ledger: a registered letter for level 5.
func (f fixture) sent(invoice int64, step string, level int, day string) {
	channel := "email"
	if level == 5 {
		channel = "registered_letter"
	}
	f.exec(`INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, due_on, status, sent_at)
		SELECT id, client_id, 'standard', $2, $3, $4, $5, 'sent', $5::date + time '10:00' FROM invoice WHERE id = $1`,
		invoice, step, level, channel, d(day))
}

func caseNumbers(c ledger.Case) []string {
	var out []string
	for _, i := range c.Invoices {
		out = append(out, i.Number)
	}
	return out
}

// A case taken from its opening through every stage to its close: the
// notice's deadline, the invoices it takes, the opposition deadline, costs,
// what it recovers, the events and the case file's data.
func TestCaseThroughEveryStage(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	c := f.client("C1")
	f1 := f.invoice(c, "F-1", "2025-06-01", "2025-07-01", 100000)
	f2 := f.invoice(c, "F-2", "2025-07-15", "2025-08-15", 50000)
	f.invoice(c, "F-3", "2025-09-01", "2025-12-31", 70000) // not due: stays out
	paid := f.invoice(c, "F-0", "2025-05-01", "2025-06-01", 20000)
	f.pay(paid, "2025-06-20", 20000)
	f.pay(f2, "2025-08-20", 10000) // 400.00 left
	f.sent(f1, "level1", 1, "2025-07-02")
	f.sent(f1, "level5", 5, "2025-09-01")

	// The letter of 09-01 gives 8 days: through 09-09.
	_, err := s.OpenCase(ctx, by("2025-09-09"), ledger.CaseOpening{Client: "C1", Procedure: ledger.Injonction})
	wantErr(t, err, "ledger: open case for C1: the formal notice of 2025-09-01 gives until 2025-09-09 to pay: a case opens from 2025-09-10")
	cs, err := s.OpenCase(ctx, by("2025-09-10"), ledger.CaseOpening{Client: "C1", Procedure: ledger.Injonction,
		Handler: "Me Lambert", Reason: "mise en demeure restée sans effet"})
	if err != nil {
		t.Fatal(err)
	}
	if got := caseNumbers(cs); !slices.Equal(got, []string{"F-1", "F-2"}) || cs.Claimed() != 140000 || cs.Stage() != ledger.StageOpened ||
		!cs.Holds(d("2025-09-10")) || cs.Holds(d("2025-09-09")) || cs.Currency != "EUR" || cs.Handler != "Me Lambert" {
		t.Fatalf("opened %+v", cs)
	}

	steps := []struct {
		stage, on, day, ref string
	}{
		{ledger.StageFiled, "2025-09-15", "2025-09-16", "RG 25/01234"},
		{ledger.StageGranted, "2025-10-01", "2025-10-01", ""},
		{ledger.StageServed, "2025-10-31", "2025-11-03", ""},
	}
	for _, st := range steps {
		if cs, err = s.AdvanceCase(ctx, by(st.day), cs.ID, ledger.CaseStage{Stage: st.stage, On: d(st.on), Reference: st.ref}); err != nil {
			t.Fatal(err)
		}
	}
	// Served 10-31: one month is 11-30, a Sunday, carried to Monday 12-01.
	if !cs.OppositionDeadline().Equal(d("2025-12-01")) || cs.Reference != "RG 25/01234" || cs.Stage() != ledger.StageServed {
		t.Errorf("served: deadline %s, ref %q, stage %s", cs.OppositionDeadline().Format(time.DateOnly), cs.Reference, cs.Stage())
	}
	_, err = s.AdvanceCase(ctx, by("2025-12-01"), cs.ID, ledger.CaseStage{Stage: ledger.StageEnforceable})
	wantErr(t, err, "ledger: record enforceable on case", "the opposition deadline runs through 2025-12-01: enforceable from 2025-12-02")
	_, err = s.AdvanceCase(ctx, by("2025-12-01"), cs.ID, ledger.CaseStage{Stage: ledger.StageGranted})
	wantErr(t, err, "already granted on 2025-10-01")
	if cs, err = s.AdvanceCase(ctx, by("2025-12-02"), cs.ID, ledger.CaseStage{Stage: ledger.StageEnforceable, Reason: "formule exécutoire"}); err != nil {
		t.Fatal(err)
	}

	for _, cost := range []ledger.CaseCostEntry{
		{Kind: ledger.CostFees, Amount: 3500, On: d("2025-09-15"), Note: "greffe"},
		{Kind: ledger.CostBailiff, Amount: 12000, On: d("2025-11-02"), Note: "signification"},
	} {
		if cs, err = s.AddCaseCost(ctx, by("2025-11-03"), cs.ID, cost); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.AddCaseCost(ctx, by("2025-11-03"), cs.ID, ledger.CaseCostEntry{Kind: "lunch", Amount: 100})
	wantErr(t, err, `kind "lunch": want one of fees, bailiff, agency_commission`)

	// The debtor pays 600.00 of F-1 after the title: the case recovered it.
	f.pay(f1, "2025-12-10", 60000)
	if cs, err = s.CloseCase(ctx, by("2025-12-15"), cs.ID, ledger.CaseClosing{Outcome: ledger.OutcomeRecovered, Reason: "accord de règlement"}); err != nil {
		t.Fatal(err)
	}
	if cs.Recovered() != 60000 || cs.Outstanding() != 80000 || cs.CostTotal() != 15500 || cs.Stage() != ledger.StageClosed ||
		cs.Holds(d("2025-12-15")) || !cs.Holds(d("2025-12-14")) || cs.ClosedBy != "cli:alice" {
		t.Errorf("closed: recovered %d outstanding %d costs %d stage %s", cs.Recovered(), cs.Outstanding(), cs.CostTotal(), cs.Stage())
	}
	_, err = s.CloseCase(ctx, by("2025-12-16"), cs.ID, ledger.CaseClosing{Outcome: ledger.OutcomeLost})
	wantErr(t, err, "already closed on 2025-12-15 (recovered)")
	// Read back as of a day before the payment: nothing recovered yet.
	then, err := s.Case(ctx, cs.ID, d("2025-12-05"))
	if err != nil || then.Recovered() != 0 || then.Outstanding() != 140000 {
		t.Errorf("as of 12-05: recovered %d, outstanding %d, %v", then.Recovered(), then.Outstanding(), err)
	}

	want := []string{
		"case_opened cli:alice 2025-09-10 mise en demeure restée sans effet",
		"case_filed cli:alice 2025-09-16", "case_granted cli:alice 2025-10-01", "case_served cli:alice 2025-11-03",
		"case_enforceable cli:alice 2025-12-02 formule exécutoire",
		"case_cost cli:alice 2025-11-03 greffe", "case_cost cli:alice 2025-11-03 signification",
		"case_closed cli:alice 2025-12-15 accord de règlement",
	}
	if got := f.events(c); !slices.Equal(got, want) {
		t.Errorf("events:\n%q\nwant\n%q", got, want)
	}
	tl, err := s.Timeline(ctx, "C1", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range tl {
		if e.Kind == "case_opened" && (e.Amount != 140000 || !slices.Equal(e.Invoices, []string{"F-1", "F-2"})) {
			t.Errorf("timeline entry %+v", e)
		}
		if len(e.Kind) > 5 && e.Kind[:5] == "case_" {
			kinds = append(kinds, e.Kind)
		}
	}
	if len(kinds) != 8 || kinds[0] != "case_opened" || kinds[len(kinds)-1] != "case_closed" {
		t.Errorf("timeline case entries %q", kinds)
	}

	dossier, err := s.CaseDossier(ctx, cs.ID, d("2025-12-20"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dossier.Reminders) != 2 || dossier.Reminders[1].Step != "level5" || !dossier.Reminders[1].Letter() ||
		!dossier.Reminders[0].Day.Equal(d("2025-07-02")) || dossier.Debtor.Code != "C1" || dossier.Creditor.Code != "default" {
		t.Errorf("dossier reminders %+v", dossier.Reminders)
	}
	if inv := dossier.Case.Invoices[0]; len(inv.Settlements) != 1 || inv.Settlements[0].Amount != 60000 {
		t.Errorf("F-1 settlements %+v", inv.Settlements)
	}
	if inv := dossier.Case.Invoices[1]; len(inv.Settlements) != 1 || !inv.Settlements[0].Day.Equal(d("2025-08-20")) {
		t.Errorf("F-2 settlements %+v", inv.Settlements)
	}
	open, _ := s.Cases(ctx, ledger.CaseFilter{OpenOn: d("2025-12-15")})
	all, _ := s.Cases(ctx, ledger.CaseFilter{Client: "C1"})
	if len(open) != 0 || len(all) != 1 {
		t.Errorf("open %d, all %d", len(open), len(all))
	}
}

func TestOpenCaseRefusals(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	c := f.client("C1")
	other := f.client("C2")
	ok := f.invoice(c, "F-OK", "2025-06-01", "2025-07-01", 1000)
	paid := f.invoice(c, "F-PAID", "2025-06-01", "2025-07-01", 1000)
	f.pay(paid, "2025-08-01", 1000)
	f.invoice(c, "F-LATER", "2025-08-01", "2025-10-01", 1000)
	f.invoice(c, "AV-1", "2025-06-01", "2025-06-01", -500)
	f.invoice(other, "G-1", "2025-06-01", "2025-07-01", 1000)
	usd := f.invoice(c, "F-USD", "2025-06-01", "2025-07-01", 1000)
	f.exec(`UPDATE invoice SET currency = 'USD' WHERE id = $1`, usd)
	f.sent(ok, "level5", 5, "2025-08-01")
	held := f.invoice(c, "F-HELD", "2025-06-01", "2025-07-01", 1000)
	f.sent(held, "level5", 5, "2025-08-01")
	if _, err := s.OpenCase(ctx, by("2025-09-01"), ledger.CaseOpening{Client: "C1", Invoices: []string{"F-HELD"}, Procedure: ledger.Agency}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		o    ledger.CaseOpening
		want string
	}{
		{ledger.CaseOpening{Client: "C1", Invoices: []string{"F-PAID"}, Procedure: ledger.Injonction}, "ledger: open case for C1: F-PAID: invoice is paid"},
		{ledger.CaseOpening{Client: "C1", Invoices: []string{"F-HELD"}, Procedure: ledger.Injonction}, "F-HELD: already in case 1 since 2025-09-01"},
		{ledger.CaseOpening{Client: "C1", Invoices: []string{"F-LATER"}, Procedure: ledger.Injonction}, "F-LATER: not overdue: due on 2025-10-01"},
		{ledger.CaseOpening{Client: "C1", Invoices: []string{"AV-1"}, Procedure: ledger.Injonction}, "AV-1: a credit note cannot go to a case"},
		{ledger.CaseOpening{Client: "C1", Invoices: []string{"G-1"}, Procedure: ledger.Injonction}, "G-1: an invoice of client C2, not C1"},
		{ledger.CaseOpening{Client: "C1", Invoices: []string{"F-NONE"}, Procedure: ledger.Injonction}, "F-NONE: invoice not found"},
		{ledger.CaseOpening{Client: "C1", Invoices: []string{"F-OK", "F-OK"}, Procedure: ledger.Injonction}, "F-OK: listed twice"},
		{ledger.CaseOpening{Client: "C1", Invoices: []string{"F-OK", "F-USD"}, Procedure: ledger.Injonction}, "F-USD: in USD while the case is in EUR"},
		{ledger.CaseOpening{Client: "C1", Invoices: []string{"F-OK"}, Procedure: "duel"}, `procedure "duel": want one of injonction_de_payer, petites_creances, assignation, agency`},
		{ledger.CaseOpening{Client: "C9", Procedure: ledger.Injonction}, "client C9 in entity default: not found"},
		{ledger.CaseOpening{Client: "C2", Procedure: ledger.Injonction}, "ledger: open case for C2: no formal notice (registered letter) went out for these invoices"},
	}
	for _, tt := range tests {
		_, err := s.OpenCase(ctx, by("2025-09-10"), tt.o)
		wantErr(t, err, tt.want)
	}
	// Two refusals at once are both listed.
	_, err := s.OpenCase(ctx, by("2025-09-10"), ledger.CaseOpening{Client: "C1", Invoices: []string{"F-PAID", "F-LATER"}, Procedure: ledger.Injonction})
	wantErr(t, err, "F-PAID: invoice is paid", "F-LATER: not overdue")
	// Without a notice of relance's, when the creditor says so.
	cs, err := s.OpenCase(ctx, by("2025-09-10"), ledger.CaseOpening{Client: "C2", Procedure: ledger.Agency, WithoutNotice: true})
	if err != nil || !cs.WithoutNotice || cs.Claimed() != 1000 {
		t.Errorf("without notice: %+v, %v", cs, err)
	}
	// No invoice listed: what is overdue and in no open case (F-OK, F-USD
	// in two currencies: refused with the currency named).
	_, err = s.OpenCase(ctx, by("2025-09-10"), ledger.CaseOpening{Client: "C1", Procedure: ledger.Injonction})
	wantErr(t, err, "F-USD: in USD while the case is in EUR")
	// An insolvency proceeding suspends individual proceedings.
	f.exec(`UPDATE client SET insolvency_kind = 'redressement', insolvency_opened_on = '2025-09-05' WHERE id = $1`, c)
	_, err = s.OpenCase(ctx, by("2025-09-10"), ledger.CaseOpening{Client: "C1", Invoices: []string{"F-OK"}, Procedure: ledger.Injonction})
	wantErr(t, err, "a redressement proceeding opened on 2025-09-05: individual proceedings are suspended (C. com. L622-21)")
}

func TestCaseStageRefusals(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	c := f.client("C1")
	f.invoice(c, "F-1", "2025-06-01", "2025-07-01", 1000)
	cs, err := s.OpenCase(ctx, by("2025-09-10"), ledger.CaseOpening{Client: "C1", Procedure: ledger.Assignation, WithoutNotice: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		day  string
		st   ledger.CaseStage
		want string
	}{
		{"2025-09-12", ledger.CaseStage{Stage: ledger.StageFiled, On: d("2025-09-13")}, "filed on 2025-09-13 is after 2025-09-12"},
		{"2025-09-12", ledger.CaseStage{Stage: ledger.StageFiled, On: d("2025-09-09")}, "filed on 2025-09-09 is before opened (2025-09-10)"},
		{"2025-09-12", ledger.CaseStage{Stage: "opposition_deadline"}, "the opposition deadline is not recorded: it is served + 1 month"},
		{"2025-09-12", ledger.CaseStage{Stage: "appeal"}, `stage "appeal": want one of filed, granted, served, enforceable`},
	}
	for _, tt := range tests {
		_, err := s.AdvanceCase(ctx, by(tt.day), cs.ID, tt.st)
		wantErr(t, err, "ledger: record "+tt.st.Stage+" on case 1: "+tt.want)
	}
	// A stage may be skipped, never gone back to.
	if _, err := s.AdvanceCase(ctx, by("2025-10-01"), cs.ID, ledger.CaseStage{Stage: ledger.StageGranted}); err != nil {
		t.Fatal(err)
	}
	_, err = s.AdvanceCase(ctx, by("2025-10-02"), cs.ID, ledger.CaseStage{Stage: ledger.StageFiled})
	wantErr(t, err, "already granted on 2025-10-01: stages go forward")
	_, err = s.CloseCase(ctx, by("2025-10-02"), cs.ID, ledger.CaseClosing{Outcome: ledger.OutcomeLost, On: d("2025-09-30")})
	wantErr(t, err, "ledger: close case 1: closed on 2025-09-30 is before its last stage, 2025-10-01")
	if _, err := s.CloseCase(ctx, by("2025-10-02"), cs.ID, ledger.CaseClosing{Outcome: ledger.OutcomeLost}); err != nil {
		t.Fatal(err)
	}
	_, err = s.AdvanceCase(ctx, by("2025-10-03"), cs.ID, ledger.CaseStage{Stage: ledger.StageServed})
	wantErr(t, err, "closed on 2025-10-02 (lost)")
	_, err = s.AdvanceCase(ctx, by("2025-10-03"), 99, ledger.CaseStage{Stage: ledger.StageServed})
	wantNotFound(t, err)
	// Its invoice may go to a new case once this one is closed.
	if _, err := s.OpenCase(ctx, by("2025-10-03"), ledger.CaseOpening{Client: "C1", Procedure: ledger.Agency, WithoutNotice: true}); err != nil {
		t.Errorf("a second case after the first closed: %v", err)
	}
}

func TestOppositionDeadline(t *testing.T) {
	tests := []struct{ served, want string }{
		{"2025-03-14", "2025-04-14"}, // a Monday
		{"2025-01-31", "2025-02-28"}, // February has no 31st: its last day (art. 641)
		{"2024-01-31", "2024-02-29"}, // leap year
		{"2025-10-31", "2025-12-01"}, // 11-30 is a Sunday: the next working day (art. 642)
		{"2025-11-25", "2025-12-26"}, // 12-25 is Christmas
		{"2026-04-01", "2026-05-04"}, // 05-01 is a Friday holiday, then a weekend
	}
	for _, tt := range tests {
		if got := ledger.OppositionDeadline(d(tt.served)); !got.Equal(d(tt.want)) {
			t.Errorf("served %s: deadline %s, want %s", tt.served, got.Format(time.DateOnly), tt.want)
		}
	}
}

// TestCaseDossierLetterProof: the case file's formal notices carry what the
// letter table recorded about them, as of the dossier's day: nothing while
// the letter waits in the outbox, then the posting with its tracking number,
// then the provider's deposit and the signed acknowledgement of receipt; a
// letter refused carries the provider's reason. E-mails carry none of it.
func TestCaseDossierLetterProof(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	c := f.client("C1")
	f1 := f.invoice(c, "F-1", "2025-06-01", "2025-07-01", 100000)
	f2 := f.invoice(c, "F-2", "2025-06-15", "2025-07-15", 50000)
	f.sent(f1, "level4", 4, "2025-08-15")
	f.sent(f1, "level5", 5, "2025-09-01")
	f.sent(f2, "level5", 5, "2025-09-01")
	ids := []int64{
		f.id(`SELECT id FROM reminder WHERE invoice_id = $1 AND level = 5`, f2),
		f.id(`SELECT id FROM reminder WHERE invoice_id = $1 AND level = 5`, f1),
	}
	relance := ledger.Act{Actor: "relance", Day: d("2025-09-01")}
	l, _, err := s.AddLetter(ctx, relance, ledger.Letter{Key: "relance-case-k1", ClientID: c, ReminderIDs: ids, Step: "level5",
		Day: d("2025-09-01"), Channel: ledger.LetterOutbox, File: "/letters/2025-09-01/C1-level5.pdf",
		Manifest: []byte(`{"version":1}`), Status: ledger.LetterReady, Copy: ledger.LetterCopy{Status: ledger.CopyOff}})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.OpenCase(ctx, by("2025-09-10"), ledger.CaseOpening{Client: "C1", Procedure: ledger.Injonction})
	if err != nil {
		t.Fatal(err)
	}
	notice := func(day string) ledger.CaseReminder {
		t.Helper()
		dossier, err := s.CaseDossier(ctx, cs.ID, d(day))
		if err != nil {
			t.Fatal(err)
		}
		if len(dossier.Reminders) != 2 || dossier.Reminders[0].Letter() || !dossier.Reminders[1].Letter() {
			t.Fatalf("as of %s: reminders %+v", day, dossier.Reminders)
		}
		if e := dossier.Reminders[0]; !e.Posted.IsZero() || e.Proof != "" || e.Outcome != "" {
			t.Errorf("as of %s: the e-mail carries a letter's proof: %+v", day, e)
		}
		n := dossier.Reminders[1]
		if !slices.Equal(n.Invoices, []string{"F-1", "F-2"}) {
			t.Errorf("as of %s: notice lists %v", day, n.Invoices)
		}
		return n
	}
	if n := notice("2025-09-10"); !n.Posted.IsZero() || n.Proof != "" || n.Outcome != "" {
		t.Errorf("in the outbox: %+v", n)
	}

	if _, err := s.PostLetter(ctx, by("2025-09-02"), l.ID, "1A 123 456 7890 1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RecordLetterProof(ctx, ledger.Act{Actor: "webhook:letters", Day: d("2025-09-05")},
		ledger.LetterProof{Key: l.Key, Event: ledger.LetterDelivered, Day: d("2025-09-05")}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		day, posted, proof, outcome, on string
	}{
		{"2025-09-01", "", "", "", ""}, // the dossier as of the letter's day: not posted yet
		{"2025-09-03", "2025-09-02", "1A12345678901", "", ""},
		{"2025-09-10", "2025-09-02", "1A12345678901", ledger.LetterDelivered, "2025-09-05"},
	} {
		n := notice(tt.day)
		if formatDate(n.Posted) != tt.posted || n.Proof != tt.proof || n.Outcome != tt.outcome || formatDate(n.OutcomeOn) != tt.on {
			t.Errorf("as of %s: posted %s %q, outcome %q on %s; want %s %q, %q on %s", tt.day,
				formatDate(n.Posted), n.Proof, n.Outcome, formatDate(n.OutcomeOn), tt.posted, tt.proof, tt.outcome, tt.on)
		}
	}
}

// TestCaseDossierRefusedLetter: a webhook letter deposited by the provider
// and refused by the debtor: the deposit is its posting, the refusal its
// outcome with the provider's reason.
func TestCaseDossierRefusedLetter(t *testing.T) {
	f, s, l := letterFixture(t, ledger.LetterWebhook, ledger.LetterPosted)
	ctx := context.Background()
	f.exec(`UPDATE reminder SET status = 'sent', sent_at = due_on + time '10:00' WHERE id = ANY ($1)`, l.ReminderIDs)
	if _, _, err := s.AddLetter(ctx, ledger.Act{Actor: "relance", Day: d("2025-09-15")}, l); err != nil {
		t.Fatal(err)
	}
	provider := func(day string) ledger.Act { return ledger.Act{Actor: "webhook:letters", Day: d(day)} }
	for _, p := range []ledger.LetterProof{
		{Key: l.Key, Event: ledger.LetterDeposited, Day: d("2025-09-16"), Tracking: "1A 999 888 7776 5"},
		{Key: l.Key, Event: ledger.LetterRefused, Day: d("2025-09-19"), Reason: "refusé par le destinataire"},
	} {
		if _, _, err := s.RecordLetterProof(ctx, provider(formatDay(p.Day)), p); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := s.OpenCase(ctx, by("2025-09-24"), ledger.CaseOpening{Client: "C1", Procedure: ledger.Injonction})
	if err != nil {
		t.Fatal(err)
	}
	dossier, err := s.CaseDossier(ctx, cs.ID, d("2025-09-24"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dossier.Reminders) != 1 {
		t.Fatalf("reminders %+v", dossier.Reminders)
	}
	n := dossier.Reminders[0]
	if formatDate(n.Posted) != "2025-09-16" || n.Proof != "1A99988877765" || n.Outcome != ledger.LetterRefused ||
		formatDate(n.OutcomeOn) != "2025-09-19" || n.OutcomeReason != "refusé par le destinataire" {
		t.Errorf("refused notice %+v", n)
	}
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
