package ledger_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/relance/relance/internal/ledger"
)

// letterFixture is client C1 with two invoices at level 5, their reminder
// rows, and the letter the send worker would record for them.
func letterFixture(t *testing.T, channel, status string) (fixture, *ledger.Store, ledger.Letter) {
	t.Helper()
	f, s := newFixture(t)
	c := f.client("C1")
	var ids []int64
	for _, n := range []string{"F-2", "F-1"} {
		inv := f.invoice(c, n, "2025-06-01", "2025-07-01", 120000)
		ids = append(ids, f.id(`INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, template, due_on)
			VALUES ($1, $2, 'standard', 'level5', 5, 'registered_letter', 'formal_notice', '2025-09-15') RETURNING id`, inv, c))
	}
	l := ledger.Letter{Key: "relance-k1", ClientID: c, ReminderIDs: ids, Step: "level5", Day: d("2025-09-15"),
		Channel: channel, File: "/letters/2025-09-15/C1-level5.pdf", Manifest: []byte(`{"version":1}`), Status: status,
		Copy: ledger.LetterCopy{Status: ledger.CopySent, MessageID: "relance.1.2025-09-15.level5@durand.example"}}
	if status == ledger.LetterPosted {
		l.PostedOn, l.PostedBy, l.ProviderRef = d("2025-09-15"), "webhook", "prov-1"
	}
	return f, s, l
}

// TestAddLetterOncePerKey: the send worker's retry after a crash finds the
// letter its first attempt recorded, and adds neither a row nor an event.
func TestAddLetterOncePerKey(t *testing.T) {
	f, s, l := letterFixture(t, ledger.LetterOutbox, ledger.LetterReady)
	ctx := context.Background()
	relance := ledger.Act{Actor: "relance", Day: d("2025-09-15")}
	first, added, err := s.AddLetter(ctx, relance, l)
	if err != nil || !added {
		t.Fatalf("add: %v, added %v", err, added)
	}
	if first.ID == 0 || first.Entity != "default" || first.ClientCode != "C1" || first.Status != ledger.LetterReady ||
		!slices.Equal(first.Invoices, []string{"F-1", "F-2"}) || first.Copy.Status != ledger.CopySent {
		t.Errorf("recorded %+v", first)
	}
	again, added, err := s.AddLetter(ctx, relance, l)
	if err != nil || added || again.ID != first.ID {
		t.Errorf("second add: %v, added %v, id %d (first %d)", err, added, again.ID, first.ID)
	}
	if ev := f.events(l.ClientID); !slices.Equal(ev, []string{"letter_ready relance 2025-09-15"}) {
		t.Errorf("events %v, want one letter_ready", ev)
	}
	bad := l
	bad.Key, bad.Channel, bad.Manifest, bad.ReminderIDs = "relance-k2", "pigeon", []byte("{"), nil
	_, _, err = s.AddLetter(ctx, relance, bad)
	wantErr(t, err, "channel:", "manifest: not JSON", "reminder_ids:")
}

// TestPostLetter: a person records the posting of an outbox letter once,
// with its tracking number, on the day it took effect.
func TestPostLetter(t *testing.T) {
	f, s, l := letterFixture(t, ledger.LetterOutbox, ledger.LetterReady)
	ctx := context.Background()
	l, _, err := s.AddLetter(ctx, ledger.Act{Actor: "relance", Day: d("2025-09-15")}, l)
	if err != nil {
		t.Fatal(err)
	}
	unposted, err := s.Letters(ctx, ledger.LetterFilter{Unposted: true})
	if err != nil || len(unposted) != 1 || unposted[0].ID != l.ID {
		t.Fatalf("unposted %+v, %v", unposted, err)
	}
	_, err = s.PostLetter(ctx, by("2025-09-14"), l.ID, "1A12345678901")
	wantErr(t, err, "ledger: post letter", "before the letter's date 2025-09-15")
	_, err = s.PostLetter(ctx, by("2025-09-16"), l.ID, "1A 1")
	wantErr(t, err, "tracking number")
	_, err = s.PostLetter(ctx, by("2025-09-16"), l.ID+100, "1A12345678901")
	wantNotFound(t, err)

	posted, err := s.PostLetter(ctx, by("2025-09-16"), l.ID, "1a 123 456 7890 1")
	if err != nil {
		t.Fatal(err)
	}
	if posted.Status != ledger.LetterPosted || posted.Tracking != "1A12345678901" || !posted.PostedOn.Equal(d("2025-09-16")) ||
		posted.PostedBy != "cli:alice" || !posted.StatusDay().Equal(d("2025-09-16")) {
		t.Errorf("posted %+v", posted)
	}
	_, err = s.PostLetter(ctx, by("2025-09-17"), l.ID, "1A99999999999")
	if !errors.Is(err, ledger.ErrLetterConflict) {
		t.Errorf("posted twice: %v", err)
	}
	if unposted, _ := s.Letters(ctx, ledger.LetterFilter{Unposted: true}); len(unposted) != 0 {
		t.Errorf("still unposted: %+v", unposted)
	}
	if all, _ := s.Letters(ctx, ledger.LetterFilter{Client: "C1"}); len(all) != 1 {
		t.Errorf("C1's letters: %+v", all)
	}
	if ev := f.events(l.ClientID); !slices.Equal(ev, []string{"letter_ready relance 2025-09-15", "letter_posted cli:alice 2025-09-16"}) {
		t.Errorf("events %v", ev)
	}
}

// TestRecordLetterProof: the provider's proofs move a letter forward, once
// each; a repeat changes nothing, a contradiction is refused, and a deposit
// told after the delivery does not move the letter back.
func TestRecordLetterProof(t *testing.T) {
	f, s, l := letterFixture(t, ledger.LetterWebhook, ledger.LetterPosted)
	ctx := context.Background()
	l, _, err := s.AddLetter(ctx, ledger.Act{Actor: "relance", Day: d("2025-09-15")}, l)
	if err != nil {
		t.Fatal(err)
	}
	provider := func(day string) ledger.Act { return ledger.Act{Actor: "webhook:letters", Day: d(day)} }
	proof := func(event, day string) ledger.LetterProof {
		return ledger.LetterProof{Key: "relance-k1", Event: event, Day: d(day), Tracking: "1A 123 456 7890 1",
			ProofURL: "https://lre.example/proofs/1"}
	}
	for _, step := range []struct {
		proof   ledger.LetterProof
		status  string
		changed bool
		err     error
	}{
		{proof("delivered", "2025-09-18"), ledger.LetterDelivered, true, nil},
		{proof("deposited", "2025-09-16"), ledger.LetterDelivered, true, nil}, // late news: the date only
		{proof("deposited", "2025-09-16"), ledger.LetterDelivered, false, nil},
		{proof("delivered", "2025-09-18"), ledger.LetterDelivered, false, nil},
		{proof("refused", "2025-09-19"), "", false, ledger.ErrLetterConflict},
		{ledger.LetterProof{Key: "relance-nope", Event: "delivered", Day: d("2025-09-18")}, "", false, ledger.ErrNotFound},
	} {
		got, changed, err := s.RecordLetterProof(ctx, provider(formatDay(step.proof.Day)), step.proof)
		if step.err != nil {
			if !errors.Is(err, step.err) {
				t.Errorf("%s %s: err %v, want %v", step.proof.Key, step.proof.Event, err, step.err)
			}
			continue
		}
		if err != nil || got.Status != step.status || changed != step.changed {
			t.Errorf("%s: status %s changed %v err %v; want %s %v", step.proof.Event, got.Status, changed, err, step.status, step.changed)
		}
	}
	got, err := s.Letter(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.DepositedOn.Equal(d("2025-09-16")) || !got.DeliveredOn.Equal(d("2025-09-18")) || got.Tracking != "1A12345678901" ||
		got.ProviderRef != "prov-1" || got.ProofURL != "https://lre.example/proofs/1" {
		t.Errorf("letter %+v", got)
	}
	want := []string{"letter_handed relance 2025-09-15", "letter_delivered webhook:letters 2025-09-18", "letter_deposited webhook:letters 2025-09-16"}
	if ev := f.events(got.ClientID); !slices.Equal(ev, want) {
		t.Errorf("events %v, want %v", ev, want)
	}
	var invalid *ledger.InvalidError
	_, _, err = s.RecordLetterProof(ctx, provider("2025-09-10"), ledger.LetterProof{Key: "relance-k1", Event: "opened", Day: d("2025-09-10")})
	if !errors.As(err, &invalid) || len(invalid.Fields) != 2 {
		t.Errorf("a proof before the letter of an unknown event: %v", err)
	}
	wantErr(t, err, "at: 2025-09-10 is before the letter's date 2025-09-15", `event: "opened"`)
	_, _, err = s.RecordLetterProof(ctx, provider("2025-09-18"), ledger.LetterProof{Key: "relance-k1", Event: "delivered",
		Day: d("2025-09-18"), ProofURL: "http://lre.example/p"})
	wantErr(t, err, "proof_url", "https://")
}

// TestLetterProofTransitions is the order of a letter's statuses, proof by
// proof, from each status.
func TestLetterProofTransitions(t *testing.T) {
	for _, tt := range []struct {
		from, event, want string
		conflict          bool
	}{
		{"ready", "deposited", "deposited", false},
		{"posted", "deposited", "deposited", false},
		{"posted", "delivered", "delivered", false},
		{"posted", "refused", "refused", false},
		{"posted", "failed", "failed", false},
		{"deposited", "delivered", "delivered", false},
		{"delivered", "deposited", "delivered", false},
		{"refused", "deposited", "refused", false},
		{"delivered", "refused", "", true},
		{"refused", "delivered", "", true},
		{"failed", "delivered", "", true},
	} {
		got, err := ledger.ApplyProof(ledger.Letter{Status: tt.from, Day: d("2025-09-15")},
			ledger.LetterProof{Event: tt.event, Day: d("2025-09-20")})
		if tt.conflict != errors.Is(err, ledger.ErrLetterConflict) || (!tt.conflict && (err != nil || got.Status != tt.want)) {
			t.Errorf("%s + %s: %s, %v; want %s (conflict %v)", tt.from, tt.event, got.Status, err, tt.want, tt.conflict)
		}
	}
}

func formatDay(t interface{ Format(string) string }) string { return t.Format("2006-01-02") }

// TestEntityLetterChannel: an entity posts its letters from the outbox
// unless it is set to the webhook; nothing else is a channel.
func TestEntityLetterChannel(t *testing.T) {
	_, s := newFixture(t)
	ctx := context.Background()
	e, err := s.Entity(ctx, "default")
	if err != nil || e.LetterChannel != ledger.LetterOutbox {
		t.Fatalf("default entity: %q, %v", e.LetterChannel, err)
	}
	e, err = s.SetEntity(ctx, by("2025-09-01"), "default", func(e *ledger.Entity) error { e.LetterChannel = " Webhook "; return nil })
	if err != nil || e.LetterChannel != ledger.LetterWebhook {
		t.Fatalf("set webhook: %q, %v", e.LetterChannel, err)
	}
	_, err = s.SetEntity(ctx, by("2025-09-01"), "default", func(e *ledger.Entity) error { e.LetterChannel = "fax"; return nil })
	wantErr(t, err, `letter_channel: "fax": want outbox or webhook`)
	if e, _ = s.Entity(ctx, "default"); e.LetterChannel != ledger.LetterWebhook {
		t.Errorf("after a refused change: %q", e.LetterChannel)
	}
}
