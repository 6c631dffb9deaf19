package importer

import (
	"bufio"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

// isFECHeader tells a FEC (Fichier des Écritures Comptables, art. A47 A-1
// LPF) from any other file by its mandatory header.
func isFECHeader(header string) bool {
	h := strings.ToLower(header)
	return strings.Contains(h, "journalcode") && strings.Contains(h, "ecriturenum") && strings.Contains(h, "comptenum")
}

// fecItem is an open customer item: the unlettered lines of one customer
// and one piece.
type fecItem struct {
	line   int
	client string
	name   string
	piece  string
	date   time.Time
	amount int64
}

// pieceOwners says who has open items on a piece: the first customer seen,
// and whether there are others.
type pieceOwners struct {
	first  string
	shared bool
}

type fecClient struct {
	code, name    string
	balance, open int64
}

// readFEC reads the customer lines (accounts 411* and 416*) of a FEC and
// emits its open items as invoices (credit notes when negative): the lines
// not lettered, or lettered after opt.AsOf, grouped by customer (CompAuxNum,
// else CompteNum) and PieceRef, dated by PieceDate, due after the default
// terms. Opening entries (journal AN/RAN) are lines like any other. It
// returns a warning for every customer whose open items do not add up to
// the balance of all its lines, lettered or not. Open items are held in
// memory until the file ends, since the lines of one piece may be anywhere.
func readFEC(br *bufio.Reader, opt Options, errs *errorList, emit func(*ledger.BatchInvoice) bool) ([]string, error) {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), maxRecordBytes)
	if !sc.Scan() {
		return nil, fmt.Errorf("%s: empty file", errs.file)
	}
	header := strings.TrimRight(sc.Text(), "\r")
	sep := "|"
	if strings.Contains(header, "\t") {
		sep = "\t"
	}
	col := map[string]int{}
	for i, h := range strings.Split(header, sep) {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	need := func(names ...string) error {
		for _, n := range names {
			if _, ok := col[strings.ToLower(n)]; !ok {
				return fmt.Errorf("%s:1: header: FEC without a %s column", errs.file, n)
			}
		}
		return nil
	}
	if err := need("CompteNum", "PieceRef", "PieceDate", "EcritureLet"); err != nil {
		return nil, err
	}
	_, hasDebit := col["debit"]
	_, hasMontant := col["montant"]
	switch {
	case hasDebit:
		if err := need("Credit"); err != nil {
			return nil, err
		}
	case hasMontant:
		if err := need("Sens"); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%s:1: header: FEC without Debit/Credit or Montant/Sens columns", errs.file)
	}

	cleaned := cleanTally{file: errs.file}
	items := map[[2]string]*fecItem{}
	clients := map[string]*fecClient{}
	// The first customer of each open piece, and whether another one has
	// an open item with the same piece: a map per piece cost 500 bytes.
	pieceOwner := map[string]pieceOwners{}
	line := 1
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		rec := strings.Split(text, sep)
		if !fecFits(rec, header, sep, line, errs) {
			continue
		}
		get := func(name string) string {
			i, ok := col[strings.ToLower(name)]
			if !ok || i >= len(rec) {
				return ""
			}
			v, changed := ledger.CleanText(rec[i], strings.HasSuffix(name, "Lib"))
			if changed {
				cleaned.add(line, name)
			}
			return v
		}
		account := get("CompteNum")
		if !strings.HasPrefix(account, "411") && !strings.HasPrefix(account, "416") {
			continue
		}
		bad := func(column, format string, args ...any) { errs.add(line, column, fmt.Sprintf(format, args...)) }
		if ed := get("EcritureDate"); ed != "" && !opt.AsOf.IsZero() {
			// An entry booked after the import date did not exist then.
			if d, err := fecDate(ed); err != nil {
				bad("EcritureDate", "%v", err)
				continue
			} else if d.After(opt.AsOf) {
				continue
			}
		}
		var amount int64
		ok := true
		if hasDebit {
			d, err1 := fecAmount(get("Debit"))
			c, err2 := fecAmount(get("Credit"))
			if err1 != nil {
				bad("Debit", "%v", err1)
				ok = false
			}
			if err2 != nil {
				bad("Credit", "%v", err2)
				ok = false
			}
			amount = d - c
		} else {
			m, err := fecAmount(get("Montant"))
			if err != nil {
				bad("Montant", "%v", err)
				ok = false
			}
			switch strings.ToUpper(get("Sens")) {
			case "D", "+1", "1":
				amount = m
			case "C", "-1":
				amount = -m
			default:
				bad("Sens", "want D or C, got %q", get("Sens"))
				ok = false
			}
		}
		client, name := get("CompAuxNum"), get("CompAuxLib")
		if client == "" {
			client, name = account, get("CompteLib")
		}
		dateText := get("PieceDate")
		if dateText == "" {
			dateText = get("EcritureDate")
		}
		date, err := fecDate(dateText)
		if err != nil {
			bad("PieceDate", "%v", err)
			ok = false
		}
		open := get("EcritureLet") == ""
		if !open {
			if dl := get("DateLet"); dl != "" {
				lettered, err := fecDate(dl)
				if err != nil {
					bad("DateLet", "%v", err)
					ok = false
				}
				open = lettered.After(opt.AsOf)
			}
		}
		if !ok {
			continue
		}
		cl := clients[client]
		if cl == nil {
			// What is held until the file ends is cloned, here and for an
			// item: a string cut from the line would keep the whole line.
			cl = &fecClient{code: strings.Clone(client), name: strings.Clone(name)}
			clients[cl.code] = cl
		}
		cl.balance += amount
		if !open {
			continue
		}
		cl.open += amount
		piece := get("PieceRef")
		if piece == "" {
			piece = get("JournalCode") + "-" + get("EcritureNum")
		}
		key := [2]string{client, piece}
		it := items[key]
		if it == nil {
			piece = strings.Clone(piece)
			key = [2]string{cl.code, piece}
			it = &fecItem{line: line, client: cl.code, name: strings.Clone(name), piece: piece, date: date}
			items[key] = it
			if o, ok := pieceOwner[piece]; !ok {
				pieceOwner[piece] = pieceOwners{first: cl.code}
			} else if o.first != client && !o.shared {
				pieceOwner[piece] = pieceOwners{first: o.first, shared: true}
			}
		}
		if date.Before(it.date) {
			it.date = date
		}
		it.amount += amount
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: %w", errs.file, line+1, &tooLargeError{line: line + 1, column: -1})
		}
		return nil, fmt.Errorf("%s:%d: %w", errs.file, line+1, err)
	}

	var warnings []string
	if w := cleaned.warning(); w != "" {
		warnings = append(warnings, w)
	}
	codes := make([]string, 0, len(clients))
	for c := range clients {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		cl := clients[c]
		if cl.open != cl.balance {
			warnings = append(warnings, fmt.Sprintf("%s: customer %s (%s): open items %s do not add up to the account balance %s (difference %s)",
				errs.file, c, cl.name, money.FormatPlain(money.Amount(cl.open)), money.FormatPlain(money.Amount(cl.balance)),
				money.FormatPlain(money.Amount(cl.balance-cl.open))))
		}
	}

	list := make([]*fecItem, 0, len(items))
	for _, it := range items {
		if it.amount != 0 {
			list = append(list, it)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].line < list[j].line })
	for _, it := range list {
		row := ledger.BatchInvoice{
			Line: it.line, Number: it.piece, ClientCode: it.client,
			Issued: it.date, Due: opt.DefaultTerms.DueDate(it.date, opt.EOM),
			Amount: money.Amount(it.amount), Currency: opt.Currency, Kind: "invoice",
		}
		if name := it.name; name != "" {
			row.Client.Name = &name
		}
		if pieceOwner[it.piece].shared {
			row.Number = it.piece + "/" + it.client // one piece shared by several customers
		}
		if row.Amount < 0 {
			row.Kind = "credit_note"
		}
		if !emit(&row) {
			break
		}
	}
	return warnings, nil
}

// fecAmount reads a FEC amount: decimal comma, no thousands separator,
// empty meaning zero.
func fecAmount(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	a, err := money.Parse(s)
	if err != nil {
		return 0, err
	}
	return int64(a), nil
}

// fecDate reads AAAAMMJJ (some exports write an ISO date instead).
func fecDate(s string) (time.Time, error) {
	if len(s) == 8 {
		y, ok := atoi(s[0:4])
		m, ok := atoi2(ok, s[4:6])
		d, ok := atoi2(ok, s[6:8])
		if ok && m >= 1 && m <= 12 && d >= 1 && y >= 1900 && y <= 2200 {
			t := clock.Date(y, time.Month(m), d)
			if t.Day() == d {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("invalid date %q: want AAAAMMJJ", s)
	}
	t, err := parseDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q: want AAAAMMJJ", s)
	}
	return t, nil
}

// fecFits reports every cell of a FEC line over MaxCellChars.
func fecFits(rec []string, header, sep string, line int, errs *errorList) bool {
	ok := true
	for i, c := range rec {
		if err := ledger.CheckLength(c); err != nil {
			name := fmt.Sprintf("column %d", i+1)
			if names := strings.Split(header, sep); i < len(names) {
				name = strings.TrimSpace(names[i])
			}
			errs.add(line, name, err.Error())
			ok = false
		}
	}
	return ok
}
