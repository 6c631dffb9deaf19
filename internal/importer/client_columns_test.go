package importer

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/pgtest"
)

// clientRow is a client as the tests check it.
type clientRow struct {
	Name, Country                              string
	Emails, CC                                 []string
	Address1, Address2, Postcode, City         *string
	Contact, Phone, SIREN, SIRET, VAT, Segment *string
	Profile, Locale                            *string
	CreditLimit                                *int64
}

func clientByCode(t *testing.T, db *pgxpool.Pool, code string) clientRow {
	t.Helper()
	var c clientRow
	if err := db.QueryRow(context.Background(), `
		SELECT name, country, emails, cc_emails, address_line1, address_line2, postcode, city, contact_name, phone,
		       siren, siret, vat_number, segment, profile, locale, credit_limit
		FROM client WHERE code = $1`, code).Scan(&c.Name, &c.Country, &c.Emails, &c.CC, &c.Address1, &c.Address2,
		&c.Postcode, &c.City, &c.Contact, &c.Phone, &c.SIREN, &c.SIRET, &c.VAT, &c.Segment, &c.Profile, &c.Locale,
		&c.CreditLimit); err != nil {
		t.Fatalf("client %s: %v", code, err)
	}
	return c
}

func str(s string) *string { return &s }

// The client columns of issue 11, under their French names, and what a
// later file without them does: nothing.
func TestClientColumns(t *testing.T) {
	db := pgtest.NewDB(t)
	path := writeFile(t, "clients.csv", "N° facture;Code client;Raison sociale;Date facture;Montant TTC;"+
		"Pays;Adresse;Complément adresse;Code postal;Ville;Contact;Téléphone;Courriel;Email copie;SIREN;SIRET;TVA intracom;Encours max;Segment;Profil;Langue\n"+
		"F1;C1;Müller GmbH;15/01/2025;100,00;Allemagne;Hauptstraße 5;Hinterhaus;10115;Berlin;Frau Weber;+49 30 1234567;"+
		"\"Buchhaltung <buha@mueller.de>; weber@mueller.de\";chef@mueller.de;;;DE123456789;50 000,00;PME;key_account;de\n"+
		"F2;C2;Café du Port;20/01/2025;200,00;fr;12 quai Nord;;13002;Marseille;M. Blanc;04 91 00 00 00;"+
		"compta@cafeduport.fr,blanc@cafeduport.fr;;732 829 320;73282932000074;FR 44 732829320;;;;fr\n")
	res := mustImport(t, db, path, opts())
	if len(res.Warnings) != 0 {
		t.Errorf("warnings = %q", res.Warnings)
	}
	wantC1 := clientRow{Name: "Müller GmbH", Country: "DE", Emails: []string{"buha@mueller.de", "weber@mueller.de"},
		CC: []string{"chef@mueller.de"}, Address1: str("Hauptstraße 5"), Address2: str("Hinterhaus"), Postcode: str("10115"),
		City: str("Berlin"), Contact: str("Frau Weber"), Phone: str("+49 30 1234567"), VAT: str("DE123456789"),
		Segment: str("PME"), Profile: str("key_account"), Locale: str("de"), CreditLimit: cents(5000000)}
	wantC2 := clientRow{Name: "Café du Port", Country: "FR", Emails: []string{"compta@cafeduport.fr", "blanc@cafeduport.fr"},
		CC: []string{}, Address1: str("12 quai Nord"), Postcode: str("13002"), City: str("Marseille"), Contact: str("M. Blanc"),
		Phone: str("04 91 00 00 00"), SIREN: str("732829320"), SIRET: str("73282932000074"), VAT: str("FR44732829320"), Locale: str("fr")}
	for code, want := range map[string]clientRow{"C1": wantC1, "C2": wantC2} {
		if got := clientByCode(t, db, code); !reflect.DeepEqual(got, want) {
			t.Errorf("%s =\n%s\nwant\n%s", code, show(got), show(want))
		}
	}

	// The ERP's next export has none of these columns, and empty cells in
	// the ones it has: the clients keep everything.
	again := writeFile(t, "next.csv", "invoice_number;client_id;issue_date;amount;email;pays;ville\n"+
		"F1;C1;15/01/2025;100,00;;;\nF3;C2;01/02/2025;50,00;;;\n")
	res = mustImport(t, db, again, opts())
	if res.Created != 1 || res.Updated != 0 {
		t.Errorf("second import = %+v", res)
	}
	if got := clientByCode(t, db, "C1"); !reflect.DeepEqual(got, wantC1) {
		t.Errorf("C1 after a file without its details = %s", show(got))
	}
	if got := clientByCode(t, db, "C2"); !reflect.DeepEqual(got, wantC2) {
		t.Errorf("C2 after a file without its details = %s", show(got))
	}
}

func show(c clientRow) string {
	var b strings.Builder
	v := reflect.ValueOf(c)
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				fmt.Fprintf(&b, "%s=nil ", name)
				continue
			}
			f = f.Elem()
		}
		fmt.Fprintf(&b, "%s=%v ", name, f.Interface())
	}
	return b.String()
}

// Each client column refuses what cannot be right, at its line and column.
func TestClientColumnErrors(t *testing.T) {
	db := pgtest.NewDB(t) // every file is refused: one database serves them all
	for _, tc := range []struct {
		header, cell, want string
	}{
		{"pays", "Atlantide", `:2: country: unknown country "Atlantide": want an ISO 3166 code such as FR, DE or GB`},
		{"pays", "ZZ", `:2: country: unknown country "ZZ"`},
		{"siren", "12345678", `:2: siren: invalid SIREN "12345678": want 9 digits`},
		{"siren", "732829321", `:2: siren: invalid SIREN "732829321": its check digit is wrong`},
		{"siret", "73282932000075", `:2: siret: invalid SIRET "73282932000075": its check digit is wrong`},
		{"tva", "FR45732829320", `:2: vat_number: invalid VAT number "FR45732829320": its key does not match SIREN 732829320`},
		{"tva", "200,00", `:2: vat_number: invalid VAT number "200,00": want a country code and digits such as FR40303265045 (for a column of VAT amounts, name it montant_tva)`},
		{"telephone", "compta@x.fr", `:2: phone: invalid phone number "compta@x.fr"`},
		{"encours_max", "-5,00", `:2: credit_limit: a credit limit cannot be negative`},
		{"langue", "klingon!", `:2: locale: unknown locale "klingon!"`},
		{"email", "compta@", `:2: email: invalid email address "compta@"`},
		{"email", "a@x.fr; pas une adresse", `:2: email: invalid email address "pas une adresse"`},
		{"email", "compta@localhost", `:2: email: invalid email address "compta@localhost": domain "localhost" is not a full domain name`},
		{"cc", "chef@x.fr\nBcc: evil@y.com", `:2: cc: control or invisible character U+000A in "chef@x.fr\nBcc: evil@y.com"`},
	} {
		t.Run(tc.header+"="+tc.cell, func(t *testing.T) {
			path := writeFile(t, "c.csv", "invoice_number;client_id;issue_date;amount;"+tc.header+"\nF1;C1;15/01/2025;100,00;\""+tc.cell+"\"\n")
			_, err := ImportInvoices(context.Background(), db, path, opts())
			if err == nil || !strings.Contains(err.Error(), path+tc.want) {
				t.Errorf("err = %v\nwant %s%s", err, path, tc.want)
			}
		})
	}
}

// A client's cells are parsed once while they repeat; each row still
// reports its own errors at its own line, and each cleaned cell is counted.
func TestClientParsedOnceReportsEachRow(t *testing.T) {
	db := pgtest.NewDB(t)
	head := "invoice_number;client_id;issue_date;amount;email;ville\n"
	bad := writeFile(t, "bad.csv", head+
		"F1;C1;15/01/2025;100,00;compta@c1.fr;Lyon\n"+
		"F2;C1;15/01/2025;100,00;compta@c1.fr;Lyon\n"+
		"F3;C1;15/01/2025;100,00;compta@;Lyon\n"+
		"F4;C1;15/01/2025;100,00;compta@;Lyon\n"+
		"F5;C1;15/01/2025;100,00;compta@c1.fr;Lyon\n")
	_, err := ImportInvoices(context.Background(), db, bad, opts())
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an *ImportError", err)
	}
	for _, line := range []string{":4: email:", ":5: email:"} {
		if !strings.Contains(err.Error(), bad+line) {
			t.Errorf("err = %v\nwant an error at %s%s", err, bad, line)
		}
	}
	for _, line := range []string{":2:", ":3:", ":6:"} {
		if strings.Contains(err.Error(), bad+line) {
			t.Errorf("err = %v\nwant no error at %s%s", err, bad, line)
		}
	}

	cleaned := writeFile(t, "cleaned.csv", head+
		"F1;C1;15/01/2025;100,00;compta@c1.fr;Ly\x07on\n"+
		"F2;C1;15/01/2025;100,00;compta@c1.fr;Ly\x07on\n"+
		"F3;C1;15/01/2025;100,00;compta@c1.fr;Lyon\n"+
		"F4;C1;15/01/2025;100,00;compta@c1.fr;Ly\x07on\n")
	res := mustImport(t, db, cleaned, opts())
	want := cleaned + ": control or invisible characters removed from 3 cell(s), the first at " + cleaned + ":2: city"
	if fmt.Sprint(res.Warnings) != "["+want+"]" {
		t.Errorf("warnings = %q\nwant %q", res.Warnings, want)
	}
	if c := clientByCode(t, db, "C1"); c.City == nil || *c.City != "Lyon" || fmt.Sprint(c.Emails) != "[compta@c1.fr]" {
		t.Errorf("client C1 = %+v", c)
	}
}
