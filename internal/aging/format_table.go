package aging

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/relance/relance/internal/money"
)

// formatNumber writes a with the locale's grouping and decimal separator and
// no currency symbol: fr "1 234,56" (U+202F grouping, as money.Format),
// en "1,234.56".
func formatNumber(a money.Amount, locale string) string {
	s := money.FormatPlain(a) // "-1234.56"
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	sep, dec := ",", "."
	if locale == "fr" {
		sep, dec = "\u202f", ","
	}
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return sign + b.String() + dec + frac
}

// formatRate writes a percentage as the locale does: fr "46,34 %", en "46.34%".
func formatRate(r Rate, locale string) string {
	if locale == "fr" {
		return strings.Replace(r.String(), ".", ",", 1) + "\u00a0%"
	}
	return r.String() + "%"
}

func formatDate(d time.Time, locale string) string {
	if locale == "fr" {
		return d.Format("02/01/2006")
	}
	return d.Format(time.DateOnly)
}

// words holds the table headings per locale.
var words = map[string]map[string]string{
	"fr": {"title": "Balance âgée au %s — %s", "client": "Client", "name": "Nom", "overdue": "Échu",
		"unapplied": "Non affecté", "total": "Total", "late_rate": "Taux de retard", "share": "Part",
		"bucket_title": "%s — %s : %s (%s du total)", "kind": "Type", "number": "Pièce", "issue": "Émise le",
		"due": "Échéance", "currency": "Devise", "amount": "Montant", "open": "Reste dû", "days": "Jours",
		"bucket": "Tranche", "dispute": "Litige", "paused": "Promesse jusqu'au", "next": "Prochaine étape",
		"yes": "oui", "no": "", "empty": "Aucune créance ouverte au %s.", "items_title": "Pièces ouvertes au %s"},
	"en": {"title": "Aged balance as of %s — %s", "client": "Client", "name": "Name", "overdue": "Overdue",
		"unapplied": "Unapplied", "total": "Total", "late_rate": "Late rate", "share": "Share",
		"bucket_title": "%s — %s: %s (%s of total)", "kind": "Kind", "number": "Number", "issue": "Issued",
		"due": "Due", "currency": "Currency", "amount": "Amount", "open": "Open", "days": "Days late",
		"bucket": "Bucket", "dispute": "Dispute", "paused": "Promise until", "next": "Next step",
		"yes": "yes", "no": "", "empty": "No open receivables as of %s.", "items_title": "Open items as of %s"},
}

func wordsFor(locale string) map[string]string {
	if w, ok := words[locale]; ok {
		return w
	}
	return words["en"]
}

// WriteTable writes the aged balance by client as aligned text, one block
// per currency, each closed by its TOTAL row and the share of each bucket.
func WriteTable(w io.Writer, r Report, locale string) error {
	wd := wordsFor(locale)
	if len(r.Sections) == 0 {
		_, err := fmt.Fprintf(w, wd["empty"]+"\n", formatDate(r.AsOf, locale))
		return err
	}
	for si, s := range r.Sections {
		if si > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, wd["title"]+"\n\n", formatDate(r.AsOf, locale), s.Currency)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := []string{wd["client"], wd["name"]}
		for _, b := range r.Buckets {
			head = append(head, b.Label(locale))
		}
		head = append(head, wd["overdue"], wd["unapplied"], wd["total"], wd["late_rate"])
		codeW, nameW := textWidth(wd["client"]), textWidth(wd["name"])
		for _, row := range s.Rows {
			codeW, nameW = max(codeW, textWidth(row.ClientCode)), max(nameW, textWidth(row.ClientName))
		}
		line := func(row Row) {
			cells := []string{padRight(row.ClientCode, codeW), padRight(row.ClientName, nameW)}
			for _, a := range row.Buckets {
				cells = append(cells, formatNumber(a, locale))
			}
			cells = append(cells, formatNumber(row.Overdue(), locale), formatNumber(row.Unapplied, locale),
				formatNumber(row.Total(), locale), formatRate(row.LateRate(), locale))
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
		head[0], head[1] = padRight(head[0], codeW), padRight(head[1], nameW)
		fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		for _, row := range s.Rows {
			line(row)
		}
		total := s.Total
		total.ClientName = ""
		line(total)
		share := []string{padRight(wd["share"], codeW), ""}
		for _, p := range s.Shares() {
			share = append(share, formatRate(p, locale))
		}
		share = append(share, formatRate(RateOf(int64(s.Total.Overdue()), int64(s.Total.Outstanding())), locale), "", "", "")
		fmt.Fprintln(tw, strings.Join(share, "\t")+"\t")
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// WriteBucketsTable writes the by-bucket view: for each currency and bucket,
// its total and share, then its clients, largest first.
func WriteBucketsTable(w io.Writer, r Report, locale string) error {
	wd := wordsFor(locale)
	if len(r.Sections) == 0 {
		_, err := fmt.Fprintf(w, wd["empty"]+"\n", formatDate(r.AsOf, locale))
		return err
	}
	for i, g := range r.ByBucket() {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, wd["bucket_title"]+"\n", g.Currency, g.Bucket.Label(locale),
			formatNumber(g.Total, locale), formatRate(g.Share, locale))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		codeW, nameW := 0, 0
		for _, c := range g.Clients {
			codeW, nameW = max(codeW, textWidth(c.ClientCode)), max(nameW, textWidth(c.ClientName))
		}
		for _, c := range g.Clients {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t\n", padRight(c.ClientCode, codeW), padRight(c.ClientName, nameW),
				formatNumber(c.Amount, locale))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// ItemTableWriter writes the by-invoice view as aligned text. Alignment
// needs every row, so tabwriter keeps the text (not the items) until Close.
type ItemTableWriter struct {
	tw     *tabwriter.Writer
	locale string
	wd     map[string]string
}

// NewItemTableWriter writes the title and header.
func NewItemTableWriter(w io.Writer, asOf time.Time, locale string) *ItemTableWriter {
	wd := wordsFor(locale)
	fmt.Fprintf(w, wd["items_title"]+"\n\n", formatDate(asOf, locale))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join([]string{wd["client"], wd["name"], wd["kind"], wd["number"], wd["issue"], wd["due"],
		wd["currency"], wd["amount"], wd["open"], wd["days"], wd["bucket"], wd["dispute"], wd["paused"], wd["next"]}, "\t")+"\t")
	return &ItemTableWriter{tw: tw, locale: locale, wd: wd}
}

// Write adds one item.
func (x *ItemTableWriter) Write(it Item) error {
	due, days, paused, disputed := "", "", "", x.wd["no"]
	if it.DueDate != nil {
		due = formatDate(*it.DueDate, x.locale)
	}
	if it.DaysLate != nil {
		days = fmt.Sprint(*it.DaysLate)
	}
	if it.PausedUntil != nil {
		paused = formatDate(*it.PausedUntil, x.locale)
	}
	if it.Disputed {
		disputed = x.wd["yes"]
	}
	_, err := fmt.Fprintln(x.tw, strings.Join([]string{it.ClientCode, it.ClientName, it.Kind, it.Number,
		formatDate(it.IssueDate, x.locale), due, it.Currency, formatNumber(it.Amount, x.locale),
		formatNumber(it.Open, x.locale), days, it.Bucket, disputed, paused, it.NextStep}, "\t")+"\t")
	return err
}

// Close aligns and writes the rows.
func (x *ItemTableWriter) Close() error { return x.tw.Flush() }

// textWidth is the width of s in a terminal, one column per rune (as
// tabwriter counts).
func textWidth(s string) int { return utf8.RuneCountInString(s) }

// padRight left-aligns s in a column of width runes, inside a tabwriter
// that aligns right (for the numbers).
func padRight(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-textWidth(s)))
}
