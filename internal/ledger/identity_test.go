package ledger

import (
	"slices"
	"strings"
	"testing"
)

func TestIdentifiers(t *testing.T) {
	tests := []struct {
		name string
		norm func(string) (string, error)
		in   string
		want string // "" with err set: refused
		err  string
	}{
		{"siren", NormalizeSIREN, "732 829 320", "732829320", ""},
		{"siren", NormalizeSIREN, "356000000", "356000000", ""}, // La Poste
		{"siren", NormalizeSIREN, "732829321", "", "check digit"},
		{"siren", NormalizeSIREN, "73282932", "", "9 digits"},
		{"siret", NormalizeSIRET, "732 829 320 00017", "73282932000017", ""},
		{"siret", NormalizeSIRET, "35600000000010", "35600000000010", ""}, // La Poste: digits sum to a multiple of 5
		{"siret", NormalizeSIRET, "73282932000018", "", "check digit"},
		{"vat", NormalizeVAT, "fr 44 732829320", "FR44732829320", ""},
		{"vat", NormalizeVAT, "FR45732829320", "", "want FR44732829320"},
		{"vat", NormalizeVAT, "DE 123.456.789", "DE123456789", ""},
		{"vat", NormalizeVAT, "FR4473282932", "", "9-digit SIREN"},
		{"iban", NormalizeIBAN, "FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189", ""},
		{"iban", NormalizeIBAN, "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", ""},
		{"iban", NormalizeIBAN, "DE89 3704 0044 0532 0130 01", "", "check digits"},
		{"bic", NormalizeBIC, "bnpafrpp", "BNPAFRPP", ""},
		{"bic", NormalizeBIC, "BNPAFRPPXX", "", "8 or 11"},
		{"country", NormalizeCountry, "uk", "GB", ""},
		{"country", NormalizeCountry, "France", "", "ISO country code"},
		{"email", NormalizeEmail, "Compta <Compta@Durand.example>", "Compta@Durand.example", ""},
	}
	for _, tc := range tests {
		got, err := tc.norm(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s %q: err %v, want %q", tc.name, tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s %q = %q, %v; want %q", tc.name, tc.in, got, err, tc.want)
		}
	}
	if FormatSIREN("73282932000017") != "732 829 320 00017" || FormatIBAN("FR7630006000011234567890189") != "FR76 3000 6000 0112 3456 7890 189" {
		t.Error("formats")
	}
}

func TestParseEmails(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"a@b.fr", []string{"a@b.fr"}, false},
		{"a@b.fr; c@d.fr,e@f.fr", []string{"a@b.fr", "c@d.fr", "e@f.fr"}, false},
		{`"Martin, Compta" <compta@martin.fr>; A@b.fr, a@B.FR`, []string{"compta@martin.fr", "A@b.fr"}, false},
		{"a@b.fr;;", []string{"a@b.fr"}, false},
		{"a@b.fr; nope", []string{"a@b.fr"}, true},
	}
	for _, tc := range tests {
		got, err := ParseEmails(tc.in)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("ParseEmails(%q) = %q, %v; want %q (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func FuzzParseEmails(f *testing.F) {
	for _, s := range []string{"a@b.fr; c@d.fr", `"x, y" <z@w.fr>`, "<a@b.fr>,", `"\"" <a@b.fr>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseEmails(s)
		for _, a := range got {
			// Every address given back reads again as itself.
			if again, err := NormalizeEmail(a); err != nil || again != a {
				t.Errorf("%q gave %q, which reads back as %q, %v", s, a, again, err)
			}
		}
		if err == nil && strings.TrimSpace(strings.NewReplacer(",", "", ";", "").Replace(s)) != "" && len(got) == 0 {
			t.Errorf("%q: no address and no error", s)
		}
	})
}

func TestAddressLines(t *testing.T) {
	a := Address{Line1: "Hauptstraße 5", Postcode: "10115", City: "Berlin"}
	if got := a.Lines("DE", "FR", "fr"); !slices.Equal(got, []string{"Hauptstraße 5", "10115 Berlin", "ALLEMAGNE"}) {
		t.Errorf("abroad: %q", got)
	}
	if got := a.Lines("FR", "FR", "fr"); !slices.Equal(got, []string{"Hauptstraße 5", "10115 Berlin"}) {
		t.Errorf("at home: %q", got)
	}
	if got := (Address{}).Lines("DE", "FR", "fr"); got != nil {
		t.Errorf("no address: %q", got)
	}
}
