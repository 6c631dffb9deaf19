package ledger

import (
	"slices"
	"strings"
	"testing"
)

func TestParseEmails(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  string // "" when accepted
	}{
		{"", nil, ""},
		{" ; ", nil, ""},
		{"a@x.fr", []string{"a@x.fr"}, ""},
		{"a@x.fr; b@x.fr", []string{"a@x.fr", "b@x.fr"}, ""},
		{"a@x.fr,b@x.fr,", []string{"a@x.fr", "b@x.fr"}, ""},
		{"a@b.fr; c@d.fr,e@f.fr", []string{"a@b.fr", "c@d.fr", "e@f.fr"}, ""},
		{`"Dupont, Jean" <j@x.fr>; Compta <c@x.fr>`, []string{"j@x.fr", "c@x.fr"}, ""},
		{`"Martin, Compta" <compta@martin.fr>; A@b.fr, a@B.FR`, []string{"compta@martin.fr", "A@b.fr"}, ""},
		{"a@x.fr b@x.fr", []string{"a@x.fr", "b@x.fr"}, ""},
		{"A@x.fr; a@x.fr", []string{"A@x.fr"}, ""},
		{"a@b.fr; pas une adresse", nil, `invalid email address "pas une adresse"`},
		{"compta@", nil, `invalid email address "compta@"`},
		{"compta@localhost", nil, `invalid email address "compta@localhost": domain "localhost" is not a full domain name`},
		{"victim@x.com\r\nBcc: evil@y.com", nil, `control or invisible character U+000D in "victim@x.com\r\nBcc: evil@y.com"`},
		{"victim@x.com\u202e", nil, "control or invisible character U+202E"},
		{"victim@x.com Bcc: evil@y.com", nil, "invalid email address"},
		{"victim@x.com, Bcc: evil@y.com", nil, `invalid email address "Bcc: evil@y.com"`},
		{"<script>@x.fr", nil, "invalid email address"},
		{`"a b"@x.fr`, nil, "a quoted local part"},
		{"a@[127.0.0.1]", nil, "an IP address for a domain"},
		{"group: a@x.fr;", nil, "invalid email address"},
	} {
		got, err := ParseEmails(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseEmails(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.err)
		case tc.err == "" && (err != nil || !slices.Equal(got, tc.want)):
			t.Errorf("ParseEmails(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseEmails(f *testing.F) {
	for _, s := range []string{"a@b.fr; c@d.fr", `"x, y" <z@w.fr>`, "<a@b.fr>,", `"\"" <a@b.fr>`, "a@x.fr b@x.fr", "a@x.fr\r\nBcc: b@y.fr"} {
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
		if err != nil && len(err.Error()) > 400 {
			t.Errorf("an error of %d bytes: %.100s", len(err.Error()), err)
		}
	})
}

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{" +33 4 72 00 00 00 ", "+33 4 72 00 00 00", ""},
		{"(030) 123-4567 x12", "(030) 123-4567 x12", ""},
		{"compta@x.fr", "", `invalid phone number "compta@x.fr": want digits`},
		{"12", "", "want 3 to 20 digits"},
	} {
		got, err := NormalizePhone(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("NormalizePhone(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
