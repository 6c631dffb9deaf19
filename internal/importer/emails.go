package importer

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
)

// parseEmails reads a cell of email addresses as ERPs export them: one or
// more, separated by ';' or ',' ("a@x.fr; b@x.fr", "Compta <c@x.fr>,
// d@x.fr"), each parsed by net/mail (RFC 5322). It returns the bare
// addresses, without display names and duplicates, in cell order. A cell
// holding a control character is refused whole before anything is parsed:
// relance must never pass "victim@x.com\r\nBcc: evil@y.com" on as a header,
// and stripping the line break would only turn it into another address.
func parseEmails(cell string) ([]string, error) {
	for _, r := range cell {
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
			return nil, fmt.Errorf("control or invisible character %U in %s: one address per item, separated by ';' or ','", r, quote(cell))
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, item := range splitAddressList(cell) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		addrs, err := parseItem(item)
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			if key := strings.ToLower(a); !seen[key] {
				seen[key] = true
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// parseItem parses one item of the list: an address with or without a
// display name or, as some exports write them, bare addresses separated by
// spaces.
func parseItem(item string) ([]string, error) {
	a, err := mail.ParseAddress(item)
	if err != nil {
		if words := strings.Fields(item); len(words) > 1 && strings.Count(item, "@") == len(words) {
			var out []string
			for _, w := range words {
				more, werr := parseItem(w)
				if werr != nil {
					return nil, werr
				}
				out = append(out, more...)
			}
			return out, nil
		}
		return nil, fmt.Errorf("invalid email address %s: %s", quote(item), strings.TrimPrefix(err.Error(), "mail: "))
	}
	if err := checkAddress(a.Address); err != nil {
		return nil, fmt.Errorf("invalid email address %s: %v", quote(item), err)
	}
	return []string{a.Address}, nil
}

// checkAddress refuses what net/mail accepts but no relay delivers to:
// quoted local parts ("a b"@x.fr), domain literals (a@[1.2.3.4]) and
// domains without a dot.
func checkAddress(addr string) error {
	at := strings.LastIndexByte(addr, '@')
	local, domain := addr[:at], addr[at+1:]
	switch {
	case strings.ContainsAny(local, "\" \\"):
		return fmt.Errorf("a quoted local part")
	case strings.HasPrefix(domain, "["):
		return fmt.Errorf("an IP address for a domain")
	case !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, ".."):
		return fmt.Errorf("domain %s is not a full domain name", quote(domain))
	}
	return nil
}

// splitAddressList splits at ';' and ',' outside double quotes and angle
// brackets, so that `"Dupont, Jean" <j@x.fr>` stays one address.
func splitAddressList(s string) []string {
	var items []string
	quoted, angle, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			angle = true
		case c == '>' && !quoted:
			angle = false
		case (c == ';' || c == ',') && !quoted && !angle:
			items = append(items, s[start:i])
			start = i + 1
		}
	}
	return append(items, s[start:])
}
