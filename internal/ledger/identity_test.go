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
		{"country", NormalizeCountry, "France", "FR", ""},
		{"country", NormalizeCountry, "Royaume-Uni", "GB", ""},
		{"country", NormalizeCountry, "de", "DE", ""},
		{"country", NormalizeCountry, "Atlantide", "", `unknown country "Atlantide": want an ISO 3166 code such as FR, DE or GB`},
		{"country", NormalizeCountry, "ZZ", "", `unknown country "ZZ"`},
		{"siren", NormalizeSIREN, "732829321", "", `invalid SIREN "732829321": its check digit is wrong`},
		{"vat", NormalizeVAT, "FR45732829320", "", `invalid VAT number "FR45732829320": its key does not match SIREN 732829320`},
		{"vat", NormalizeVAT, "200,00", "", `invalid VAT number "200,00": want a country code and digits such as FR40303265045`},
		{"locale", NormalizeLocale, "FR", "fr", ""},
		{"locale", NormalizeLocale, "fr_FR", "fr", ""},
		{"locale", NormalizeLocale, "klingon!", "", `unknown locale "klingon!"`},
		{"currency", NormalizeCurrency, " eur ", "EUR", ""},
		{"currency", NormalizeCurrency, "EURO", "", `invalid currency "EURO": want an ISO 4217 code such as EUR`},
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
