package ledger_test

import (
	"context"
	"testing"

	"github.com/relance/relance/internal/ledger"
)

func TestEntityAddSetList(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	acme, err := s.AddEntity(ctx, by("2025-09-01"), ledger.Entity{
		Code: "acme", Name: "Acme Industrie SAS", SIREN: "732 829 320", VAT: "FR 44 732829320",
		IBAN: "fr76 3000 6000 0112 3456 7890 189", BIC: "bnpafrpp", Email: "Compta <compta@acme.example>",
		Address: ledger.Address{Line1: " 12 rue des Tanneurs ", Postcode: "69002", City: "Lyon"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if acme.SIREN != "732829320" || acme.VAT != "FR44732829320" || acme.IBAN != "FR7630006000011234567890189" ||
		acme.BIC != "BNPAFRPP" || acme.Email != "compta@acme.example" || acme.Country != "FR" || acme.Currency != "EUR" ||
		acme.Locale != "fr" || acme.Address.Line1 != "12 rue des Tanneurs" {
		t.Errorf("stored as %+v", acme)
	}
	if _, err := s.AddEntity(ctx, by("2025-09-01"), ledger.Entity{Code: "acme", Name: "Again"}); err == nil {
		t.Error("a second acme was added")
	}
	de, err := s.AddEntity(ctx, by("2025-09-02"), ledger.Entity{Code: "acme-de", Name: "Acme GmbH", Parent: "acme", Country: "de", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if de.Parent != "acme" || de.Country != "DE" {
		t.Errorf("acme-de: %+v", de)
	}
	// A group cannot contain itself.
	_, err = s.SetEntity(ctx, by("2025-09-03"), "acme", func(e *ledger.Entity) error { e.Parent = "acme-de"; return nil })
	wantErr(t, err, "ledger: set entity acme", "group")
	got, err := s.SetEntity(ctx, by("2025-09-03"), "acme", func(e *ledger.Entity) error { e.Phone = "04 72 00 00 00"; return nil })
	if err != nil || got.Phone != "04 72 00 00 00" || got.SIREN != "732829320" {
		t.Fatalf("set: %+v, %v", got, err)
	}
	all, err := s.Entities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, e := range all {
		codes = append(codes, e.Code)
	}
	if len(codes) != 3 || codes[0] != "acme" || codes[1] != "acme-de" || codes[2] != "default" {
		t.Errorf("entities %v", codes)
	}
	var actors []string
	rows, _ := f.pool.Query(ctx, `SELECT kind || ' ' || actor || ' ' || day FROM event ORDER BY id`)
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		actors = append(actors, s)
	}
	want := []string{"entity_added cli:alice 2025-09-01", "entity_added cli:alice 2025-09-02", "entity_updated cli:alice 2025-09-03"}
	if len(actors) != len(want) {
		t.Fatalf("events %v, want %v", actors, want)
	}
	for i := range want {
		if actors[i] != want[i] {
			t.Errorf("event %d: %q, want %q", i, actors[i], want[i])
		}
	}
}

func TestEntityErrorsNameTheField(t *testing.T) {
	_, s := newFixture(t)
	_, err := s.AddEntity(context.Background(), by("2025-09-01"), ledger.Entity{
		Code: "bad code", SIREN: "123456789", VAT: "FR00123456789", IBAN: "FR7630006000011234567890188", Country: "Atlantide",
	})
	wantErr(t, err, "ledger: add entity bad code", "code:", "name: required", "siren:", "check digit", "vat:", "iban:", "country:")
}

func TestUnknownEntityListsTheKnownOnes(t *testing.T) {
	f, _ := newFixture(t)
	s := ledger.New(f.pool, ledger.Options{Entity: "acme"})
	_, err := s.Clients(context.Background(), d("2025-09-01"))
	wantNotFound(t, err)
	wantErr(t, err, `entity "acme"`, "known: default", "relance entity add")
}
