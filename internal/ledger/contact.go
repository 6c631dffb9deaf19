package ledger

import (
	"fmt"
	"net/mail"
	"strings"
)

// NormalizeEmail checks one address with net/mail (RFC 5322) and returns the
// bare address ("Compta <a@b.fr>" gives "a@b.fr"); "" stays "".
func NormalizeEmail(s string) (string, error) {
	if r, ok := controlChar(s); ok {
		return "", errControl(r, s)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	return parseAddress(s)
}

// ParseEmails reads a list of addresses as ERPs and people write them: one or
// more, separated by ';' or ',' ("a@x.fr; b@x.fr", `"Dupont, Jean" <j@x.fr>,
// d@x.fr`), or by spaces between bare addresses, each parsed by net/mail. It
// returns the bare addresses, without display names, in order, without
// duplicates (compared ignoring case); "" gives none.
//
// A list holding a control character is refused whole before anything is
// parsed: "victim@x.com\r\nBcc: evil@y.com" must never reach a header, and
// stripping the line break would only turn it into another address.
func ParseEmails(s string) ([]string, error) {
	if r, ok := controlChar(s); ok {
		return nil, errControl(r, s)
	}
	var out []string
	seen := map[string]bool{}
	for _, item := range splitAddressList(s) {
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

func errControl(r rune, s string) error {
	return fmt.Errorf("control or invisible character %U in %s: one address per item, separated by ';' or ','", r, Quote(s))
}

// parseItem parses one item of a list: an address with or without a display
// name or, as some exports write them, bare addresses separated by spaces.
func parseItem(item string) ([]string, error) {
	a, err := parseAddress(item)
	if err == nil {
		return []string{a}, nil
	}
	words := strings.Fields(item)
	if len(words) < 2 || strings.Count(item, "@") != len(words) {
		return nil, err
	}
	out := make([]string, 0, len(words))
	for _, w := range words {
		a, err := parseAddress(w)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// mailReason is net/mail's reason for refusing an address without the
// address itself, which some of its errors echo in full (quoted, each
// invalid byte as \xNN): the error already quotes it, cut to 40 characters.
func mailReason(err error) string {
	reason := strings.ReplaceAll(err.Error(), "mail: ", "")
	if i := strings.Index(reason, `: "`); i >= 0 {
		reason = reason[:i]
	}
	return reason
}

// parseAddress parses one address and refuses what net/mail accepts but no
// relay delivers to, or what would not read back as itself: quoted local
// parts ("a b"@x.fr), domain literals (a@[1.2.3.4]) and domains without a
// dot.
func parseAddress(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("invalid email address %s: %s", Quote(s), mailReason(err))
	}
	addr := a.Address
	at := strings.LastIndexByte(addr, '@')
	local, domain := addr[:at], addr[at+1:]
	switch {
	case strings.ContainsAny(local, "\" \\"):
		return "", fmt.Errorf("invalid email address %s: a quoted local part", Quote(s))
	case strings.HasPrefix(domain, "["):
		return "", fmt.Errorf("invalid email address %s: an IP address for a domain", Quote(s))
	case !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, ".."):
		return "", fmt.Errorf("invalid email address %s: domain %s is not a full domain name", Quote(s), Quote(domain))
	}
	return addr, nil
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

// NormalizePhone accepts what people write for a phone number ("+33 4 72 00
// 00 00", "(030) 123-4567 x12"), trimmed, but not a value that cannot be
// one: an email address, a word, a date.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +().-/", r), r == '\u00a0':
		case r == 'x' || r == 'X': // an extension: "01 23 45 67 89 x12"
		default:
			return "", fmt.Errorf("invalid phone number %s: want digits, spaces and + ( ) . - /", Quote(s))
		}
	}
	if digits < 3 || digits > 20 {
		return "", fmt.Errorf("invalid phone number %s: want 3 to 20 digits", Quote(s))
	}
	return s, nil
}
