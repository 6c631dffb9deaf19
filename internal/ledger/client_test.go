package ledger_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

func TestSetClientWritesEveryFieldAndRecordsTheChange(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	id := f.client("C1")
	limit := money.Amount(5_000_000)
	c, err := s.SetClient(ctx, by("2025-09-10"), "C1", func(c *ledger.Client) error {
		c.Country = "de"
		c.Address = ledger.Address{Line1: "Hauptstraße 5", Postcode: "10115", City: "Berlin"}
		c.Contact, c.Phone = "Frau Weber", "+49 30 1234567"
		c.Emails = []string{"buchhaltung@weber.example; Frau Weber <weber@weber.example>"}
		c.CC = []string{"chef@weber.example"}
		c.VAT = "DE123456789"
		c.CreditLimit = &limit
		c.Segment, c.Profile, c.Locale = "industrie", "key_account", "EN"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Client(ctx, "C1", d("2025-09-10"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Country != "DE" || got.Address.City != "Berlin" || got.Contact != "Frau Weber" ||
		!slices.Equal(got.Emails, []string{"buchhaltung@weber.example", "weber@weber.example"}) ||
		!slices.Equal(got.CC, []string{"chef@weber.example"}) || got.VAT != "DE123456789" ||
		got.CreditLimit == nil || *got.CreditLimit != limit || got.Locale != "en" || got.Profile != "key_account" {
		t.Errorf("read back %+v (returned %+v)", got, c)
	}
	if ev := f.events(id); len(ev) != 1 || ev[0] != "client_updated cli:alice 2025-09-10 address_line1, cc, city, contact, country, credit_limit, emails, locale, phone, postcode, profile, segment, vat" {
		t.Errorf("events %q", ev)
	}
	// Nothing changed: nothing recorded.
	if _, err := s.SetClient(ctx, by("2025-09-11"), "C1", func(*ledger.Client) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if ev := f.events(id); len(ev) != 1 {
		t.Errorf("an empty change recorded %q", ev)
	}
}

func TestSetClientRefusesBadValuesNamingTheField(t *testing.T) {
	f, s := newFixture(t)
	f.client("C1")
	_, err := s.SetClient(context.Background(), by("2025-09-10"), "C1", func(c *ledger.Client) error {
		c.Emails = []string{"compta@ok.example, pas une adresse"}
		c.SIRET = "732 829 320 00017"
		c.SIREN = "552100554"
		return nil
	})
	wantErr(t, err, "ledger: set client C1", "emails:", `"pas une adresse"`, "siret:", "is not an establishment of SIREN 552 100 554")
	// The API names each refused field from the same error.
	var invalid *ledger.InvalidError
	if !errors.As(err, &invalid) || len(invalid.Fields) != 2 || invalid.Fields[0].Field != "siret" || invalid.Fields[1].Field != "emails" {
		t.Errorf("fields refused: %+v", invalid)
	}
	_, err = s.SetClient(context.Background(), by("2025-09-10"), "NOPE", func(*ledger.Client) error { return nil })
	wantNotFound(t, err)
	wantErr(t, err, "ledger: set client NOPE", "client NOPE in entity default")
}

func TestClearBounce(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	id := f.client("C1")
	wantErr(t, s.ClearBounce(ctx, by("2025-09-10"), "C1", "fixed"), "not marked bouncing")
	f.exec(`UPDATE client SET email_bouncing_since = '2025-09-01', email_bounce_reason = '550 no such user' WHERE id = $1`, id)
	if err := s.ClearBounce(ctx, by("2025-09-10"), "C1", "nouvelle adresse"); err != nil {
		t.Fatal(err)
	}
	c, _ := s.Client(ctx, "C1", d("2025-09-10"))
	if !c.BouncingSince.IsZero() || c.BounceReason != "" {
		t.Errorf("still bouncing: %+v", c)
	}
	if ev := f.events(id); len(ev) != 1 || ev[0] != "bounce_cleared cli:alice 2025-09-10 nouvelle adresse" {
		t.Errorf("events %q", ev)
	}
}

func TestClientsListsBalancesAndStates(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	a, b := f.client("A"), f.client("B")
	f.invoice(a, "F-1", "2025-07-01", "2025-08-01", 100000)
	f.invoice(a, "F-2", "2025-09-01", "2025-10-01", 50000)
	f.invoice(b, "F-3", "2025-07-01", "2025-08-01", 20000)
	f.exec(`INSERT INTO payment (entity_id, client_id, received_on, amount) VALUES (1, $1, '2025-09-01', 5000)`, b)
	if _, err := s.PauseClient(ctx, by("2025-09-05"), "B", "plan de règlement", d("2025-09-30")); err != nil {
		t.Fatal(err)
	}
	list, err := s.Clients(ctx, d("2025-09-10"))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Balance != 150000 || list[0].Overdue != 100000 || list[0].Paused ||
		list[1].Balance != 15000 || !list[1].Paused {
		t.Errorf("clients %+v", list)
	}
}
