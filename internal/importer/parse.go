package importer

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

// cellKind tells the row parser how a reader hands over cells: text as typed
// by people, or XLSX raw values (numbers as written by Excel, dates as
// serials).
type cellKind int

const (
	textCells cellKind = iota
	xlsxCells
)

// maxDueWarnings is how many rows due before their issue date are named
// one by one; the rest are counted.
const maxDueWarnings = 20

// rowParser turns records into ledger.BatchInvoices against a column map.
type rowParser struct {
	termsSeen map[string]ledger.Terms // a file has few distinct terms: parse each once
	cols      columnMap
	header    []string // the file's header, to name a column relance ignores
	cells     cellKind
	terms     ledger.Terms
	eom       ledger.EOMMethod
	currency  string
	file      string
	cleaned   cleanTally
	dueEarly  int      // rows due before their issue date
	warnings  []string // the first maxDueWarnings of them
	// badNumbers are the invoice numbers of refused rows (up to
	// maxKeptErrors): a credit note applied to one of them names an invoice
	// that is in the file, only wrong.
	badNumbers []string
	clients    map[string]*clientParsed // by code: parseClientOnce

	// The row being parsed, for c and bad.
	rec  []string
	line int
	errs *errorList
}

// c returns field f of the row being parsed, cleaned.
func (p *rowParser) c(f field) string { return p.cell(p.rec, p.line, f) }

// bad reports a problem of field f of the row being parsed.
func (p *rowParser) bad(f field, format string, args ...any) {
	p.errs.add(p.line, f.String(), fmt.Sprintf(format, args...))
}

// opt returns field f of the row being parsed, nil when empty.
func (p *rowParser) opt(f field) *string {
	if s := p.c(f); s != "" {
		v := s
		return &v
	}
	return nil
}

// finish returns the warnings gathered over the whole file.
func (p *rowParser) finish() []string {
	w := p.warnings
	if p.dueEarly > maxDueWarnings {
		w = append(w, fmt.Sprintf("%s: … and %d more rows due before their issue date", p.file, p.dueEarly-maxDueWarnings))
	}
	if s := p.cleaned.warning(); s != "" {
		w = append(w, s)
	}
	return w
}

// columnName names cell i of a record in messages: its field when relance
// reads it, else the file's own header.
func (p *rowParser) columnName(i int) string {
	for f, c := range p.cols {
		if c == i {
			return field(f).String()
		}
	}
	if i < len(p.header) && strings.TrimSpace(p.header[i]) != "" {
		return headerName(p.header[i])
	}
	return fmt.Sprintf("column %d", i+1)
}

// fits reports every cell of rec over MaxCellChars; a row that has one is
// not read any further, so that no message quotes it.
func (p *rowParser) fits(rec []string, line int, errs *errorList) bool {
	ok := true
	for i, c := range rec {
		if err := ledger.CheckLength(c); err != nil {
			errs.add(line, p.columnName(i), err.Error())
			ok = false
		}
	}
	return ok
}

// cell returns field f of rec, trimmed and cleaned (see clean); the cells
// clean changed are tallied for the file's warning.
func (p *rowParser) cell(rec []string, line int, f field) string {
	s, changed := ledger.CleanText(p.cols.cell(rec, f), f.freeText())
	if changed {
		p.cleaned.add(line, f.String())
	}
	return s
}

// parse validates rec (read at line) and reports every problem to errs. It
// returns false when the row is bad.
func (p *rowParser) parse(rec []string, line int, errs *errorList, row *ledger.BatchInvoice) bool {
	before := errs.total
	*row = ledger.BatchInvoice{Line: line, Currency: p.currency, Kind: "invoice"}
	if !p.fits(rec, line, errs) {
		return false
	}
	p.rec, p.line, p.errs = rec, line, errs
	c, bad := p.c, p.bad

	row.Number = c(fieldNumber)
	if row.Number == "" {
		bad(fieldNumber, "missing invoice number")
	}
	row.ClientCode = c(fieldClientID)
	name := p.opt(fieldClientName)
	if name != nil && row.ClientCode == "" {
		row.ClientCode = clientCodeFromName(*name)
	}
	if row.ClientCode == "" {
		bad(fieldClientName, "missing client (neither client_id nor client_name)")
	}
	p.parseAmounts(row)
	p.parseDates(row)
	if p.cols.has(fieldPaid) {
		p.parsePaid(row, errs.total == before)
	}
	if s := c(fieldAppliesTo); s != "" {
		if row.Kind != "credit_note" {
			bad(fieldAppliesTo, "only a credit note applies to another invoice")
		} else if s == row.Number {
			bad(fieldAppliesTo, "a credit note cannot apply to itself")
		}
		row.AppliesTo = &s
	}
	if s := c(fieldCurrency); s != "" {
		cur, err := ledger.NormalizeCurrency(s)
		if err != nil {
			bad(fieldCurrency, "%v", err)
		}
		row.Currency = cur
	}
	p.parseClientOnce(row.ClientCode, &row.Client, name)
	if errs.total == before && !row.Due.IsZero() && row.Due.Before(row.Issued) {
		// Opening entries re-booking old invoices and corrected invoices
		// that keep their original due date: real ledgers have them.
		if p.dueEarly++; p.dueEarly <= maxDueWarnings {
			p.warnings = append(p.warnings, fmt.Sprintf("%s:%d: due_date: due date %s is before the issue date %s (imported as given)",
				p.file, line, row.Due.Format(time.DateOnly), row.Issued.Format(time.DateOnly)))
		}
	}
	if errs.total != before && row.Number != "" && len(p.badNumbers) < maxKeptErrors {
		p.badNumbers = append(p.badNumbers, row.Number)
	}
	return errs.total == before
}

// parsePaid reads what the row says is already paid; checked against the
// amount only when the row is good so far (ok).
func (p *rowParser) parsePaid(row *ledger.BatchInvoice, ok bool) {
	var paid money.Amount
	if s := p.c(fieldPaid); s != "" {
		var err error
		if paid, err = p.amount(s); err != nil {
			p.bad(fieldPaid, "%v", err)
		}
	}
	switch {
	case paid < 0:
		p.bad(fieldPaid, "negative amount paid %s", money.FormatPlain(paid))
	case row.Kind == "invoice" && paid > row.Amount && ok:
		p.bad(fieldPaid, "paid %s exceeds the amount %s", money.FormatPlain(paid), money.FormatPlain(row.Amount))
	}
	if row.Kind == "invoice" {
		row.Paid = &paid
	}
}

// parseAmounts reads the amounts and the kind of row.
func (p *rowParser) parseAmounts(row *ledger.BatchInvoice) {
	c, bad := p.c, p.bad
	if s := c(fieldAmount); s == "" {
		bad(fieldAmount, "missing amount")
	} else if v, err := p.amount(s); err != nil {
		bad(fieldAmount, "%v", err)
	} else {
		row.Amount = v
	}
	if s := c(fieldAmountExcl); s != "" {
		excl, err := p.amount(s)
		if err != nil {
			bad(fieldAmountExcl, "%v", err)
		}
		row.AmountExcl = &excl
	}
	kind := c(fieldKind)
	if kind != "" {
		kind = headerKey(kind)
	}
	switch kind {
	case "", "invoice", "facture", "f", "inv":
	case "creditnote", "avoir", "credit", "a", "cn", "av":
		row.Kind = "credit_note"
	default:
		bad(fieldKind, "unknown kind %s: want invoice/facture or credit_note/avoir", ledger.Quote(c(fieldKind)))
	}
	if row.Amount < 0 {
		row.Kind = "credit_note"
	}
	if row.Kind == "credit_note" {
		row.Amount = -abs(row.Amount)
		if row.AmountExcl != nil {
			*row.AmountExcl = -abs(*row.AmountExcl)
		}
	}
}

// parseDates reads the issue date and the due date of row, computing the
// due date from the terms when the row has none.
func (p *rowParser) parseDates(row *ledger.BatchInvoice) {
	c, bad := p.c, p.bad
	var err error
	if s := c(fieldIssueDate); s == "" {
		bad(fieldIssueDate, "missing issue date")
	} else if row.Issued, err = p.date(s); err != nil {
		bad(fieldIssueDate, "%v", err)
	}
	row.Terms = p.opt(fieldTerms)
	if s := c(fieldDueDate); s != "" {
		if row.Due, err = p.date(s); err != nil {
			bad(fieldDueDate, "%v", err)
		}
	} else if !row.Issued.IsZero() {
		terms := p.terms
		if row.Terms != nil {
			if terms, err = p.parseTerms(*row.Terms); err != nil {
				bad(fieldTerms, "%v", err)
			}
		}
		row.Due = terms.DueDate(row.Issued, p.eom)
	}
}

func (p *rowParser) parseTerms(s string) (ledger.Terms, error) {
	if t, ok := p.termsSeen[s]; ok {
		return t, nil
	}
	if len(s) > 100 {
		return ledger.Terms{}, fmt.Errorf("unknown payment terms %s", ledger.Quote(s))
	}
	t, err := ledger.ParseTerms(s)
	if err == nil && len(p.termsSeen) < 1000 {
		if p.termsSeen == nil {
			p.termsSeen = map[string]ledger.Terms{}
		}
		p.termsSeen[s] = t
	}
	return t, err
}

func abs(v money.Amount) money.Amount {
	if v < 0 {
		return -v
	}
	return v
}

// clientCodeFromName derives a stable client code from a name when the file
// has no client id: upper case, no accents, runs of anything else than
// letters and digits folded to one '-'. "Société Générale, S.A." and
// "SOCIETE GENERALE SA" do not meet, but the same spelling always does.
func clientCodeFromName(name string) string {
	out := ledger.StripAccents(name)
	var b strings.Builder
	dash := false
	for _, r := range strings.ToUpper(out) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return ""
	}
	return "NAME:" + b.String()
}

// maxValueLen bounds an amount or a date before it is parsed, so that an
// error never quotes more than a prefix of it.
const maxValueLen = 64

func (p *rowParser) amount(s string) (money.Amount, error) {
	if len(s) > maxValueLen {
		return 0, fmt.Errorf("invalid amount %s", ledger.Quote(s))
	}
	if p.cells == xlsxCells {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			v, err := amountFromFloat(f)
			return money.Amount(v), err
		}
	}
	if v, ok := plainAmount(s); ok {
		return money.Amount(v), nil
	}
	return money.Parse(s)
}

// plainAmount is the fast path for what most ERP exports write, digits with
// at most one separator followed by one or two decimals ("1234,56", "-80.5",
// "1200"); it gives what money.Parse would, and leaves everything else
// (grouping, symbols, three decimals) to money.Parse.
func plainAmount(s string) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if s == "" || len(s) > 15 {
		return 0, false
	}
	var v int64
	frac := -1 // decimals seen after the separator; -1 before it
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + int64(c-'0')
			if frac >= 0 {
				frac++
			}
		case (c == ',' || c == '.') && frac < 0 && i > 0:
			frac = 0
		default:
			return 0, false
		}
	}
	switch frac {
	case -1:
		v *= 100
	case 1:
		v *= 10
	case 2:
	default:
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// amountFromFloat converts a numeric Excel cell to cents. The float only
// carries the cell as Excel stored it; anything that is not a whole number of
// cents is refused.
func amountFromFloat(f float64) (int64, error) {
	c := math.Round(f * 100)
	if math.IsNaN(f) || math.Abs(c) > 1e17 {
		return 0, fmt.Errorf("amount %v out of range", f)
	}
	if math.Abs(f*100-c) > 1e-6*math.Max(1, math.Abs(c)) {
		return 0, fmt.Errorf("amount %v has more than two decimals", f)
	}
	return int64(c), nil
}

func (p *rowParser) date(s string) (time.Time, error) {
	if len(s) > maxValueLen {
		return time.Time{}, fmt.Errorf("invalid date %s: want dd/mm/yyyy, dd/mm/yy or yyyy-mm-dd", ledger.Quote(s))
	}
	if p.cells == xlsxCells {
		if t, ok := excelSerialDate(s); ok {
			return t, nil
		}
	}
	return parseDate(s)
}

// parseDate reads dd/mm/yyyy, dd/mm/yy, dd-mm-yyyy, dd.mm.yyyy and ISO
// yyyy-mm-dd (a time after the date is ignored). Two-digit years are 20yy.
func parseDate(s string) (time.Time, error) {
	orig := s
	fail := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("invalid date %q: want dd/mm/yyyy, dd/mm/yy or yyyy-mm-dd", orig)
	}
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	var y, m, d int
	var ok bool
	switch {
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		y, ok = atoi(s[0:4])
		m, ok = atoi2(ok, s[5:7])
		d, ok = atoi2(ok, s[8:10])
	default:
		parts, ok3 := dateParts(s)
		if !ok3 || len(parts[0]) > 2 || len(parts[1]) > 2 || (len(parts[2]) != 2 && len(parts[2]) != 4) {
			return fail()
		}
		d, ok = atoi(parts[0])
		m, ok = atoi2(ok, parts[1])
		y, ok = atoi2(ok, parts[2])
		if ok && len(parts[2]) == 2 {
			y += 2000
		}
	}
	if !ok || m < 1 || m > 12 || d < 1 || y < 1900 || y > 2200 {
		return fail()
	}
	t := clock.Date(y, time.Month(m), d)
	if t.Day() != d {
		return time.Time{}, fmt.Errorf("invalid date %q: no day %d in that month", orig, d)
	}
	return t, nil
}

// dateParts cuts s in three at its first '/', '-' or '.' and the next
// one of the same; false unless there are exactly two (strings.Split
// without its slice: an import reads two dates on each of its rows).
func dateParts(s string) ([3]string, bool) {
	sep := strings.IndexAny(s, "/-.")
	if sep < 0 {
		return [3]string{}, false
	}
	c := s[sep]
	rest := s[sep+1:]
	next := strings.IndexByte(rest, c)
	if next < 0 || strings.IndexByte(rest[next+1:], c) >= 0 {
		return [3]string{}, false
	}
	return [3]string{s[:sep], rest[:next], rest[next+1:]}, true
}

func atoi(s string) (int, bool) { return atoi2(true, s) }

func atoi2(ok bool, s string) (int, bool) {
	if !ok || s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
