package aging

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/relance/relance/internal/money"
)

// WriteCSV writes the aged balance by client per the contract of DESIGN.md
// §4: header client_id,client_name,<bucket names>,overdue,unapplied,total,
// late_rate (with the default edges exactly not_due,d1_30,d31_60,d61_90,
// d91_120,d121_plus), amounts in major units with a '.' and two decimals,
// late_rate a percentage with two decimals, and a TOTAL row closing each
// currency. With more than one currency a currency column follows
// client_name.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	multi := len(r.Sections) > 1
	head := []string{"client_id", "client_name"}
	if multi {
		head = append(head, "currency")
	}
	for _, b := range r.Buckets {
		head = append(head, b.Name)
	}
	head = append(head, "overdue", "unapplied", "total", "late_rate")
	_ = cw.Write(head)
	line := func(row Row) {
		rec := []string{row.ClientCode, row.ClientName}
		if multi {
			rec = append(rec, row.Currency)
		}
		for _, a := range row.Buckets {
			rec = append(rec, money.FormatPlain(a))
		}
		rec = append(rec, money.FormatPlain(row.Overdue()), money.FormatPlain(row.Unapplied),
			money.FormatPlain(row.Total()), row.LateRate().String())
		_ = cw.Write(rec)
	}
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			line(row)
		}
		total := s.Total
		total.ClientName = ""
		line(total)
	}
	if len(r.Sections) == 0 { // an empty balance still closes with its TOTAL row
		line(Row{ClientCode: TotalCode, Buckets: make([]money.Amount, len(r.Buckets))})
	}
	cw.Flush()
	return cw.Error()
}

// WriteBucketsCSV writes the by-bucket view: for each currency and bucket,
// the clients in it, largest amount first. Header: bucket,client_id,
// client_name[,currency],amount.
func WriteBucketsCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	multi := len(r.Sections) > 1
	head := []string{"bucket", "client_id", "client_name"}
	if multi {
		head = append(head, "currency")
	}
	_ = cw.Write(append(head, "amount"))
	for _, g := range r.ByBucket() {
		for _, c := range g.Clients {
			rec := []string{g.Bucket.Name, c.ClientCode, c.ClientName}
			if multi {
				rec = append(rec, g.Currency)
			}
			_ = cw.Write(append(rec, money.FormatPlain(c.Amount)))
		}
	}
	cw.Flush()
	return cw.Error()
}

// ItemsCSVHeader is the header of the by-invoice CSV.
var ItemsCSVHeader = []string{"client_id", "client_name", "kind", "number", "issue_date", "due_date", "currency",
	"amount", "open", "days_late", "bucket", "disputed", "paused_until", "next_step"}

// ItemCSVWriter writes the by-invoice view row by row as Items streams it.
type ItemCSVWriter struct{ cw *csv.Writer }

// NewItemCSVWriter writes the header and returns the writer.
func NewItemCSVWriter(w io.Writer) *ItemCSVWriter {
	cw := csv.NewWriter(w)
	_ = cw.Write(ItemsCSVHeader)
	return &ItemCSVWriter{cw}
}

// Write writes one item.
func (x *ItemCSVWriter) Write(it Item) error {
	days := ""
	if it.DaysLate != nil {
		days = strconv.Itoa(*it.DaysLate)
	}
	return x.cw.Write([]string{it.ClientCode, it.ClientName, it.Kind, it.Number, it.IssueDate.Format(time.DateOnly),
		optDate(it.DueDate), it.Currency, money.FormatPlain(it.Amount), money.FormatPlain(it.Open), days, it.Bucket,
		strconv.FormatBool(it.Disputed), optDate(it.PausedUntil), nextStepCode(it.NextStep)})
}

// Close flushes the rows.
func (x *ItemCSVWriter) Close() error {
	x.cw.Flush()
	return x.cw.Error()
}

func optDate(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format(time.DateOnly)
}
