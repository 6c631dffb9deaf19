package digest_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/digest"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/watch"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// sample is a Monday digest: the alerts of the weekend, one of each kind,
// and the figures of Friday to Sunday.
func sample(locale string) digest.Digest {
	alert := func(kind, entity, client, name string, detail map[string]any) watch.Alert {
		return watch.Alert{Kind: kind, Entity: entity, Client: client, ClientName: name, Detail: detail}
	}
	return digest.Digest{
		Entity: "durand", EntityName: "Atelier Durand SAS", Locale: locale, Day: clock.Date(2025, 9, 15),
		Alerts: []watch.Alert{
			alert(watch.CreditLimit, "durand", "C042", "Boulangerie Martin", map[string]any{"balance": 950000.0,
				"credit_limit": 1000000.0, "threshold": 90.0, "currency": "EUR"}),
			alert(watch.Insolvency, "durand", "C007", "Transports Giraud", map[string]any{"kind": "redressement",
				"opened": "2025-09-02", "published": "2025-09-12", "claim_deadline": "2025-11-12"}),
			alert(watch.PromiseBroken, "durand", "C013", "Menuiserie Roche", map[string]any{"pay_by": "2025-09-10",
				"invoices": []any{"FA-2025-0412", "FA-2025-0419"}}),
			alert(watch.Bounce, "durand", "C021", "Café des Alpes", map[string]any{"error": "550 5.1.1 <compta@cafe.example>: no such user"}),
			{Kind: watch.LetterReturned, Entity: "durand", Client: "C055", ClientName: "Garage Vial", Day: clock.Date(2025, 9, 13),
				Reason: "destinataire inconnu à l'adresse", Detail: map[string]any{"letter_id": 3.0, "invoices": []any{"FA-2025-0377"},
					"source": "letter_failed"}},
			alert(watch.DisputeOverdue, "durand", "C030", "Élevage Berthet", map[string]any{"invoice": "FA-2025-0301",
				"dispute_reason": "quality", "days": 34.0, "limit_days": 30.0}),
			alert(watch.ClaimDeadline, "durand", "C007", "Transports Giraud", map[string]any{"deadline": "2025-09-25", "days_left": 10.0}),
			alert(watch.StaleData, "durand", "", "", map[string]any{"payments_as_of": "2025-09-13T04:00:00Z", "age_hours": 52.0, "max_age": "36h0m0s"}),
			alert(watch.SweepMissed, "", "", "", map[string]any{"day": "2025-09-12", "window_end": "18:00"}),
			alert(watch.JobFailed, "", "", "", map[string]any{"job_id": 812.0, "job_kind": "relance_sweep", "error": "deadlock detected"}),
			{Kind: watch.QueuePaused, Detail: map[string]any{"refusals": 5.0, "error": "553 5.7.1 sender refused"}},
		},
		Figures: digest.Figures{
			From: clock.Date(2025, 9, 12), To: clock.Date(2025, 9, 14),
			Sent: map[int]int{0: 4, 1: 12, 2: 7, 3: 3, 4: 1}, Letters: 2, LettersWaiting: 1, Disputes: 1,
			Collected: []digest.Amount{{Currency: "EUR", Amount: money.Amount(1823450)}, {Currency: "USD", Amount: money.Amount(120000)}},
			Today:     map[int]int{1: 9, 2: 4}, TodayLetters: 1,
		},
	}
}

// The digest reads the same in French and English, golden-tested.
func TestRenderGolden(t *testing.T) {
	for _, locale := range []string{"fr", "en"} {
		r, err := digest.Render(sample(locale))
		if err != nil {
			t.Fatal(err)
		}
		got := "Subject: " + r.Subject + "\n\n" + r.Text
		golden(t, filepath.Join("testdata", "digest_"+locale+".golden"), got)
	}
}

// A quiet day says so rather than listing nothing.
func TestRenderQuietDay(t *testing.T) {
	d := digest.Digest{Entity: "default", EntityName: "Default", Locale: "en", Day: clock.Date(2025, 9, 16),
		Figures: digest.Figures{From: clock.Date(2025, 9, 15), To: clock.Date(2025, 9, 15)}}
	r, err := digest.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "digest_quiet_en.golden"), "Subject: "+r.Subject+"\n\n"+r.Text)
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
