// Package money holds amounts as integer minor units (cents) and converts them
// from and to the way French and English users write them. Floats never hold
// money anywhere in relance.
package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Amount is a signed amount in minor units of its currency (cents for EUR,
// GBP, USD). The currency travels next to it; Amount alone never says which.
type Amount int64

// Major returns the amount as major units for display in a spreadsheet cell.
// It is exact for every amount below 2^53 cents and must not be used for
// arithmetic.
func (a Amount) Major() float64 { return float64(a) / 100 }

// ErrSyntax is wrapped by every Parse error.
var ErrSyntax = errors.New("invalid amount")

// Parse reads an amount with two decimals as users write it:
//
//	"1 234,56"  "1234.56"  "-120,00"  "1.234,56"  "1,234.56"  "1 234"
//	"(120.00)"  "120,00-"  "€ 1 234,56"  "1234.5600"
//
// Spaces, no-break spaces (U+00A0, U+202F) and apostrophes group thousands.
// When both '.' and ',' appear the last one is the decimal separator. A lone
// separator followed by exactly three digits groups thousands ("1.234" and
// "1,234" are both 1234.00) unless the integer part is zero ("0.001");
// otherwise it is the decimal separator. Digits
// past the second decimal must be zero. Anything else is an error wrapping
// ErrSyntax that says what is wrong; Parse never panics.
func Parse(s string) (Amount, error) {
	orig := s
	fail := func(reason string) (Amount, error) {
		return 0, fmt.Errorf("%w %q: %s", ErrSyntax, orig, reason)
	}
	s = strings.TrimSpace(s)
	for _, sym := range []string{"€", "EUR", "£", "GBP", "$", "USD"} {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, sym), sym))
	}
	if s == "" {
		return fail("empty")
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")"):
		neg, s = true, s[1:len(s)-1]
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasSuffix(s, "-"):
		neg, s = true, s[:len(s)-1]
	}
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' || r == '’':
			// thousands grouping
		case r >= '0' && r <= '9', r == '.', r == ',':
			b.WriteRune(r)
		default:
			return fail(fmt.Sprintf("unexpected character %q", r))
		}
	}
	s = b.String()
	if s == "" {
		return fail("no digits")
	}

	intPart, fracPart, err := splitDecimal(s)
	if err != nil {
		return fail(err.Error())
	}
	if intPart == "" && fracPart == "" {
		return fail("no digits")
	}
	if len(fracPart) > 2 {
		if strings.Trim(fracPart[2:], "0") != "" {
			return fail("more than two decimals")
		}
		fracPart = fracPart[:2]
	}
	for len(fracPart) < 2 {
		fracPart += "0"
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 16 {
		return fail("too large")
	}
	var v int64
	for _, r := range intPart + fracPart {
		v = v*10 + int64(r-'0')
	}
	if neg {
		v = -v
	}
	return Amount(v), nil
}

// splitDecimal separates the integer digits from the decimals, removing
// thousands separators and rejecting impossible mixes.
func splitDecimal(s string) (intPart, frac string, err error) {
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	nDot, nComma := strings.Count(s, "."), strings.Count(s, ",")
	var dec byte // decimal separator, 0 when none
	switch {
	case nDot > 0 && nComma > 0:
		if lastDot > lastComma {
			dec = '.'
		} else {
			dec = ','
		}
		if strings.Count(s, string(dec)) > 1 {
			return "", "", errors.New("two decimal separators")
		}
	case nDot+nComma == 1:
		i := max(lastDot, lastComma)
		if len(s)-i-1 != 3 || i == 0 || s[0] == '0' {
			dec = s[i]
		}
	case nDot+nComma > 1:
		// Only one kind, repeated: thousands groups, unless the groups say
		// otherwise ("1,234,56" is a typo with two decimal separators).
	}
	if dec != 0 {
		i := strings.LastIndexByte(s, dec)
		intPart, frac = s[:i], s[i+1:]
	} else {
		intPart = s
	}
	if strings.ContainsAny(frac, ".,") {
		return "", "", errors.New("separator after the decimal separator")
	}
	if strings.ContainsAny(intPart, ".,") {
		groups := strings.FieldsFunc(intPart, func(r rune) bool { return r == '.' || r == ',' })
		if len(groups) != strings.Count(intPart, ".")+strings.Count(intPart, ",")+1 || len(groups[0]) > 3 || groups[0] == "" {
			return "", "", errors.New("misplaced thousands separator")
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				if dec == 0 {
					return "", "", errors.New("two decimal separators")
				}
				return "", "", errors.New("misplaced thousands separator")
			}
		}
		intPart = strings.Join(groups, "")
	}
	return intPart, frac, nil
}

// Format writes a as users of locale read it, with currency's symbol:
// fr gives "1 234,56 €" (grouping with U+202F, U+00A0 before the symbol, as
// CLDR does), en gives "€1,234.56". Unknown currencies show their ISO code.
func Format(a Amount, currency, locale string) string {
	neg := a < 0
	if neg {
		a = -a
	}
	units, cents := int64(a)/100, int64(a)%100
	sym := Symbol(currency)
	var num string
	if strings.HasPrefix(locale, "fr") {
		num = group(units, "\u202f") + fmt.Sprintf(",%02d", cents)
		if neg {
			num = "-" + num
		}
		return num + "\u00a0" + sym
	}
	num = group(units, ",") + fmt.Sprintf(".%02d", cents)
	if sym == strings.ToUpper(currency) { // an ISO code, not a symbol
		sym += "\u00a0"
	}
	if neg {
		return "-" + sym + num
	}
	return sym + num
}

// FormatRate writes a rate in basis points (hundredths of a percent) as users
// of locale read it: 1215 is "12,15 %" in fr (U+00A0 before the sign) and
// "12.15%" in en.
func FormatRate(bp int, locale string) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	if strings.HasPrefix(locale, "fr") {
		return fmt.Sprintf("%s%d,%02d\u00a0%%", sign, bp/100, bp%100)
	}
	return fmt.Sprintf("%s%d.%02d%%", sign, bp/100, bp%100)
}

// FormatCount writes a count as users of locale read it: 13568 is
// "13 568" in fr (grouping with U+202F, as Format) and "13,568" in en.
func FormatCount(n int, locale string) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	if strings.HasPrefix(locale, "fr") {
		return sign + group(int64(n), "\u202f")
	}
	return sign + group(int64(n), ",")
}

// FormatPlain writes a with a '.' decimal separator and no grouping, as the
// CSV and JSON contracts want: "-1234.56".
func FormatPlain(a Amount) string {
	// strconv rather than fmt: the CSV and JSON reports write millions.
	var buf [24]byte
	b := buf[:0]
	if a < 0 {
		b = append(b, '-')
		a = -a
	}
	b = strconv.AppendInt(b, int64(a)/100, 10)
	cents := int64(a) % 100
	b = append(b, '.', byte('0'+cents/10), byte('0'+cents%10))
	return string(b)
}

// Symbol returns the usual symbol of an ISO 4217 currency code, or the code.
func Symbol(currency string) string {
	switch strings.ToUpper(currency) {
	case "EUR", "":
		return "€"
	case "GBP":
		return "£"
	case "USD":
		return "$"
	}
	return strings.ToUpper(currency)
}

func group(v int64, sep string) string {
	s := fmt.Sprintf("%d", v)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
