package money

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
	}{
		{"1 234,56", 123456},
		{"1234.56", 123456},
		{"-120,00", -12000},
		{"1.234,56", 123456},
		{"1,234.56", 123456},
		{"1\u202f234,56", 123456},
		{"1\u00a0234,56", 123456},
		{"1'234.56", 123456},
		{"1 234", 123400},
		{"1.234", 123400},
		{"1,234", 123400},
		{"1.234.567", 123456700},
		{"12,5", 1250},
		{"12.5", 1250},
		{"0,07", 7},
		{",50", 50},
		{"(120.00)", -12000},
		{"120,00-", -12000},
		{"+5", 500},
		{"€ 1 234,56", 123456},
		{"1 234,56 €", 123456},
		{"1234.5600", 123456},
		{"0", 0},
		{"-0,01", -1},
		{"12000.00", 1200000},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ in, reason string }{
		{"", "empty"},
		{"abc", "unexpected character"},
		{"1,234,56", "two decimal separators"},
		{"1.234.56", "two decimal separators"},
		{"1,2.3,4", "two decimal separators"},
		{"12,345", ""}, // valid thousands: checked below
		{"1.2345,6", "misplaced thousands separator"},
		{"12.345", ""},
		{"1,005", ""},
		{"1.23,4.5", "two decimal separators"},
		{"12.341", ""},
		{"0.001", "more than two decimals"},
		{"12,3456", "more than two decimals"},
		{"-", "no digits"},
		{"99999999999999999999", "too large"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if tt.reason == "" {
			if err != nil {
				t.Errorf("Parse(%q): unexpected error %v", tt.in, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) err = %v, want ErrSyntax (%s)", tt.in, err, tt.reason)
			continue
		}
		if !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("Parse(%q) err = %q, want it to say %q", tt.in, err, tt.reason)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		a        Amount
		cur, loc string
		want     string
	}{
		{123456, "EUR", "fr", "1\u202f234,56\u00a0€"},
		{123456, "EUR", "en", "€1,234.56"},
		{-12000, "EUR", "fr", "-120,00\u00a0€"},
		{-12000, "EUR", "en", "-€120.00"},
		{4000, "GBP", "en", "£40.00"},
		{123456789, "EUR", "fr", "1\u202f234\u202f567,89\u00a0€"},
		{5, "EUR", "en", "€0.05"},
		{100000, "CHF", "en", "CHF\u00a01,000.00"},
		{100000, "CHF", "fr", "1\u202f000,00\u00a0CHF"},
	}
	for _, tt := range tests {
		if got := Format(tt.a, tt.cur, tt.loc); got != tt.want {
			t.Errorf("Format(%d, %s, %s) = %q, want %q", tt.a, tt.cur, tt.loc, got, tt.want)
		}
	}
}

func TestFormatPlain(t *testing.T) {
	for a, want := range map[Amount]string{0: "0.00", 5: "0.05", -5: "-0.05", 123456: "1234.56", -380000: "-3800.00"} {
		if got := FormatPlain(a); got != want {
			t.Errorf("FormatPlain(%d) = %q, want %q", a, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1 234,56", "1234.56", "-120,00", "(1.234,56)", "12,3456", "1,234,56", "€ 5", "\u202f", "9999999999999999,99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrSyntax", s, err)
			}
			return
		}
		// Whatever parses must round-trip through the plain format.
		b, err := Parse(FormatPlain(a))
		if err != nil || b != a {
			t.Fatalf("Parse(%q) = %d; FormatPlain round trip gave %d, %v", s, a, b, err)
		}
	})
}

func TestFormatRate(t *testing.T) {
	for _, tt := range []struct {
		bp     int
		locale string
		want   string
	}{
		{1215, "fr", "12,15\u00a0%"}, {1215, "en", "12.15%"}, {262, "fr-FR", "2,62\u00a0%"},
		{-88, "fr", "-0,88\u00a0%"}, {-88, "en", "-0.88%"}, {800, "en", "8.00%"},
	} {
		if got := FormatRate(tt.bp, tt.locale); got != tt.want {
			t.Errorf("FormatRate(%d, %s) = %q, want %q", tt.bp, tt.locale, got, tt.want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	for _, tt := range []struct {
		n      int
		locale string
		want   string
	}{
		{7, "fr", "7"}, {999, "en", "999"}, {13568, "fr", "13\u202f568"}, {13568, "en", "13,568"},
		{1234567, "fr-FR", "1\u202f234\u202f567"}, {-2015, "en", "-2,015"},
	} {
		if got := FormatCount(tt.n, tt.locale); got != tt.want {
			t.Errorf("FormatCount(%d, %s) = %q, want %q", tt.n, tt.locale, got, tt.want)
		}
	}
}
