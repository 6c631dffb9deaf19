package templates

import (
	"fmt"
	"net/url"
	"strings"
	texttemplate "text/template"
)

// PaymentLink builds the URL where a client pays one invoice, from the
// pattern configured as mail.payment_link, e.g.
//
//	https://pay.example.com/{{.Client.Code}}/{{urlquery .Invoice.Number}}
//
// The pattern is a text/template over {Client, Invoice}; urlquery escapes a
// value for a URL. The zero PaymentLink (empty pattern) gives no link.
type PaymentLink struct {
	t *texttemplate.Template
}

// ParsePaymentLink parses pattern and tries it on a sample invoice: the
// result must be an absolute http or https URL. Errors start with
// "mail.payment_link:" and the line and column of the pattern. An empty
// pattern is valid and yields no links.
func ParsePaymentLink(pattern string) (PaymentLink, error) {
	if strings.TrimSpace(pattern) == "" {
		return PaymentLink{}, nil
	}
	t, err := texttemplate.New("mail.payment_link").Option("missingkey=error").Parse(pattern)
	if err != nil {
		return PaymentLink{}, cleanError(err)
	}
	p := PaymentLink{t: t}
	sample := sampleMessage()
	if _, err := p.For(sample.Client, sample.Invoices[0]); err != nil {
		return PaymentLink{}, err
	}
	return p, nil
}

// For returns the link for inv of client c, or "" when no pattern is set.
func (p PaymentLink) For(c Client, inv Invoice) (string, error) {
	if p.t == nil {
		return "", nil
	}
	var b strings.Builder
	if err := p.t.Execute(&b, struct {
		Client  Client
		Invoice Invoice
	}{c, inv}); err != nil {
		return "", cleanError(err)
	}
	link := strings.TrimSpace(b.String())
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("mail.payment_link: %q is not an absolute http(s) URL", link)
	}
	return link, nil
}
