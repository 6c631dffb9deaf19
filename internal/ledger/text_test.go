package ledger

import (
	"strings"
	"testing"
)

func TestCleanText(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		changed  bool
	}{
		{"Dupont SA", "Dupont SA", false},
		{" Dupont SA ", "Dupont SA", false},
		{"Société Générale", "Société Générale", false},
		{"Dupont\r\nSA", "Dupont SA", true},
		{"Dupont \r\n SA", "Dupont SA", true},
		{"Dupont  SA", "Dupont  SA", false},
		{"F-12\x00\x1b[31m", "F-12[31m", true},
		{"F-12\u200e", "F-12", true},
		{"Evil\u202egnp.exe", "Evilgnp.exe", true},
		{"\u2066F-1\u2069", "F-1", true},
		{"\ufeffC001", "C001", true},
		{"Soci\u0065\u0301t\u0065\u0301", "Société", false}, // NFD → NFC is not a removal
		{"شركة الأمل", "شركة الأمل", false},
		{"<b>Dupont</b>", "<b>Dupont</b>", false},
		{"a\u0085b\u2028c", "a b c", true},
		{"soft\u00adhyphen", "softhyphen", true},
	} {
		got, changed := CleanText(tc.in, false)
		if got != tc.want || changed != tc.changed {
			t.Errorf("CleanText(%q) = %q, %v; want %q, %v", tc.in, got, changed, tc.want, tc.changed)
		}
	}
	if got, _ := CleanText("می\u200cخواهم", true); got != "می\u200cخواهم" {
		t.Errorf("free text lost its zero-width non-joiner: %q", got)
	}
	if got, _ := CleanText("F\u200c1", false); got != "F1" {
		t.Errorf("an identifier kept a zero-width non-joiner: %q", got)
	}
}

func TestQuote(t *testing.T) {
	if got := Quote("short"); got != `"short"` {
		t.Errorf("Quote = %s", got)
	}
	long := strings.Repeat("é", 100)
	if got, want := Quote(long), `"`+strings.Repeat("é", 40)+`"… (100 characters)`; got != want {
		t.Errorf("Quote = %s, want %s", got, want)
	}
}

func TestCheckLength(t *testing.T) {
	if err := CheckLength(strings.Repeat("é", MaxTextChars)); err != nil {
		t.Errorf("%d characters refused: %v", MaxTextChars, err)
	}
	err := CheckLength(strings.Repeat("é", MaxTextChars+1))
	want := `too long: 10001 characters, more than the 10000 allowed: "` + strings.Repeat("é", 40) + `"… (10001 characters)`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}
