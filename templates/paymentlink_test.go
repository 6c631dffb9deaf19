package templates

import (
	"strings"
	"testing"
)

func TestPaymentLink(t *testing.T) {
	m := fixedMessage()
	inv := m.Invoices[0]
	inv.Number = "F 2025/0142"
	for _, tc := range []struct{ pattern, want, err string }{
		{"", "", ""},
		{"https://pay.example.com/{{.Client.Code}}/{{urlquery .Invoice.Number}}", "https://pay.example.com/C042/F+2025%2F0142", ""},
		{"https://pay.example.com/{{.Invoice.Nmber}}", "", "mail.payment_link:1:"},
		{"https://pay.example.com/{{.Invoice.Number", "", "mail.payment_link:1: "},
		{"javascript:alert({{.Invoice.Number}})", "", "not an absolute http(s) URL"},
	} {
		p, err := ParsePaymentLink(tc.pattern)
		var got string
		if err == nil {
			got, err = p.For(m.Client, inv)
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.pattern, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.pattern, got, err, tc.want)
		}
	}
}
