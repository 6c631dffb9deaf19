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
		"yes": "oui", "no": "", "empty": "Aucune créance ouverte au %s.", "items_title": "Pièces ouvertes au %s",
		"disputed": "Litiges", "entity": "Entité", "subtotal": "Sous-total", "disputes_out": " (hors litiges)",
		"items_left": "… et %d pièces de plus, au-delà des lignes d'une feuille : la liste entière est dans l'export CSV par pièce (relance aging --by invoice --format csv)."},
	"en": {"title": "Aged balance as of %s — %s", "client": "Client", "name": "Name", "overdue": "Overdue",
		"unapplied": "Unapplied", "total": "Total", "late_rate": "Late rate", "share": "Share",
		"bucket_title": "%s — %s: %s (%s of total)", "kind": "Kind", "number": "Number", "issue": "Issued",
		"due": "Due", "currency": "Currency", "amount": "Amount", "open": "Open", "days": "Days late",
		"bucket": "Bucket", "dispute": "Dispute", "paused": "Promise until", "next": "Next step",
		"yes": "yes", "no": "", "empty": "No open receivables as of %s.", "items_title": "Open items as of %s",
		"disputed": "Disputed", "entity": "Entity", "subtotal": "Subtotal", "disputes_out": " (disputes excluded)",
		"items_left": "… and %d more items, beyond a sheet's rows: the whole list is in the by-invoice CSV (relance aging --by invoice --format csv)."},
}

func wordsFor(locale string) map[string]string {
	if w, ok := words[locale]; ok {
		return w
	}
	return words["en"]
}

// WriteTable writes the aged balance by client as aligned text, one block
// per currency, each closed by its TOTAL row and the share of each bucket.
// The last column is each client's amount in dispute. A group's balance
// (Report.Consolidated) starts each row with its entity and closes each
// entity's rows with its subtotal.
func WriteTable(w io.Writer, r Report, locale string) error {
	wd := wordsFor(locale)
	if len(r.Sections) == 0 {
		_, err := fmt.Fprintf(w, wd["empty"]+"\n", formatDate(r.AsOf, locale))
		return err
	}
	group := r.Consolidated()
	title := wd["title"]
	if r.ExcludeDisputed {
		title += wd["disputes_out"]
	}
	for si, s := range r.Sections {
		if si > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, title+"\n\n", formatDate(r.AsOf, locale), s.Currency)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		codeW, nameW, entityW := textWidth(wd["client"]), textWidth(wd["name"]), textWidth(wd["entity"])
		for _, row := range s.Rows {
			codeW, nameW = max(codeW, textWidth(row.ClientCode)), max(nameW, textWidth(row.ClientName))
			entityW = max(entityW, textWidth(row.EntityCode))
		}
		for _, sub := range s.Subtotals {
			codeW, nameW = max(codeW, textWidth(wd["subtotal"])), max(nameW, textWidth(sub.EntityName))
		}
		var head []string
		if group {
			head = append(head, padRight(wd["entity"], entityW))
		}
		head = append(head, padRight(wd["client"], codeW), padRight(wd["name"], nameW))
		for _, b := range r.Buckets {
			head = append(head, b.Label(locale))
		}
		head = append(head, wd["overdue"], wd["unapplied"], wd["total"], wd["late_rate"], wd["disputed"])
		line := func(entity string, row Row) {
			var cells []string
			if group {
				cells = append(cells, padRight(entity, entityW))
			}
			cells = append(cells, padRight(row.ClientCode, codeW), padRight(row.ClientName, nameW))
			for _, a := range row.Buckets {
				cells = append(cells, formatNumber(a, locale))
			}
			cells = append(cells, formatNumber(row.Overdue(), locale), formatNumber(row.Unapplied, locale),
				formatNumber(row.Total(), locale), formatRate(row.LateRate(), locale), formatNumber(row.Disputed, locale))
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
		fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		for i, row := range s.Rows {
			line(row.EntityCode, row)
			if sub, ok := s.SubtotalAfter(i); ok {
				sub.ClientCode, sub.ClientName = wd["subtotal"], sub.EntityName
				line(sub.EntityCode, sub)
			}
		}
		total := s.Total
		total.ClientName = ""
		line("", total)
		var share []string
		if group {
			share = append(share, padRight("", entityW))
		}
		share = append(share, padRight(wd["share"], codeW), "")
		for _, p := range s.Shares() {
			share = append(share, formatRate(p, locale))
		}
		share = append(share, formatRate(RateOf(int64(s.Total.Overdue()), int64(s.Total.Outstanding())), locale), "", "", "", "")
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
	_, err := fmt.Fprintln(x.tw, strings.Join([]string{it.ClientCode, it.ClientName, kindLabel(it.Kind, x.locale), it.Number,
		formatDate(it.IssueDate, x.locale), due, it.Currency, formatNumber(it.Amount, x.locale),
		formatNumber(it.Open, x.locale), days, bucketLabel(it.Bucket, x.locale), disputed, paused,
		nextStepLabel(it.NextStep, x.locale)}, "\t")+"\t")
	return err
}

// kindLabel names the kind of an open item in locale: facture, avoir,
// règlement in French; the code (invoice, credit_note, payment) otherwise.
func kindLabel(kind, locale string) string {
	if locale == "fr" {
		switch kind {
		case "invoice":
			return "facture"
		case "credit_note":
			return "avoir"
		case "payment":
			return "règlement"
		}
	}
	return kind
}

// bucketLabel names an item's bucket (Item.Bucket: a bucket name or
// Unapplied) in locale: the column heading in French ("1–30 j", "Non
// affecté"), the name otherwise.
func bucketLabel(name, locale string) string {
	if locale != "fr" {
		return name
	}
	var lo, hi int
	switch {
	case name == Unapplied:
		return wordsFor(locale)["unapplied"]
	case name == NotDue:
		return Bucket{Name: NotDue}.Label(locale)
	case strings.HasSuffix(name, "_plus"):
		if _, err := fmt.Sscanf(name, "d%d_plus", &lo); err == nil {
			return Bucket{Name: name, Min: lo}.Label(locale)
		}
	default:
		if _, err := fmt.Sscanf(name, "d%d_%d", &lo, &hi); err == nil {
			return Bucket{Name: name, Min: lo, Max: hi}.Label(locale)
		}
	}
	return name
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
