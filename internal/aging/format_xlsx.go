package aging

import (
	"fmt"
	"io"
	"sort"

	"github.com/xuri/excelize/v2"
)

// ChartClients is how many clients (largest total first) the XLSX chart
// shows per currency: beyond twenty bars a stacked chart is unreadable.
const ChartClients = 20

// Sheet names of the workbook, per locale.
var sheetNames = map[string][4]string{
	"fr": {"Par client", "Par tranche", "Par pièce", "Graphique"},
	"en": {"By client", "By bucket", "By invoice", "Chart"},
}

// SheetNames returns the names of the workbook's sheets in locale: by
// client, by bucket, by invoice, chart.
func SheetNames(locale string) [4]string {
	if n, ok := sheetNames[locale]; ok {
		return n
	}
	return sheetNames["en"]
}

// xlsxStyles are the cell styles of the workbook.
type xlsxStyles struct {
	header, amount, totalAmount, totalText, rate, totalRate, date int
}

func newXLSXStyles(f *excelize.File) (xlsxStyles, error) {
	var s xlsxStyles
	amountFmt := "#,##0.00;-#,##0.00"
	rateFmt := "0.00%"
	defs := []struct {
		dst   *int
		style excelize.Style
	}{
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E78"}},
			Alignment: &excelize.Alignment{Horizontal: "center", WrapText: true}}},
		{&s.amount, excelize.Style{CustomNumFmt: &amountFmt}},
		{&s.totalAmount, excelize.Style{CustomNumFmt: &amountFmt, Font: &excelize.Font{Bold: true},
			Border: []excelize.Border{{Type: "top", Color: "000000", Style: 1}}}},
		{&s.totalText, excelize.Style{Font: &excelize.Font{Bold: true},
			Border: []excelize.Border{{Type: "top", Color: "000000", Style: 1}}}},
		{&s.rate, excelize.Style{CustomNumFmt: &rateFmt}},
		{&s.totalRate, excelize.Style{CustomNumFmt: &rateFmt, Font: &excelize.Font{Bold: true},
			Border: []excelize.Border{{Type: "top", Color: "000000", Style: 1}}}},
		{&s.date, excelize.Style{NumFmt: 14}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.style)
		if err != nil {
			return s, fmt.Errorf("xlsx style: %w", err)
		}
		*d.dst = id
	}
	return s, nil
}

// WriteXLSX writes the aged balance as a workbook: a sheet per view (by
// client, by bucket, by invoice) with real numbers under number formats and
// a frozen header row, and a chart sheet holding, per currency, a stacked
// bar chart of the buckets of the ChartClients largest clients. items
// streams the by-invoice rows (Items) straight into the sheet.
func WriteXLSX(w io.Writer, r Report, locale string, items func(func(Item) error) error) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newXLSXStyles(f)
	if err != nil {
		return err
	}
	names := SheetNames(locale)
	wd := wordsFor(locale)
	if err := f.SetSheetName("Sheet1", names[0]); err != nil {
		return err
	}
	for _, n := range names[1:] {
		if _, err := f.NewSheet(n); err != nil {
			return err
		}
	}
	if err := xlsxByClient(f, names[0], r, locale, wd, st); err != nil {
		return fmt.Errorf("xlsx %s: %w", names[0], err)
	}
	if err := xlsxByBucket(f, names[1], r, locale, wd, st); err != nil {
		return fmt.Errorf("xlsx %s: %w", names[1], err)
	}
	if err := xlsxByInvoice(f, names[2], wd, st, items); err != nil {
		return fmt.Errorf("xlsx %s: %w", names[2], err)
	}
	if err := xlsxChart(f, names[3], r, locale, wd, st); err != nil {
		return fmt.Errorf("xlsx %s: %w", names[3], err)
	}
	_, err = f.WriteTo(w)
	return err
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

func freezeHeader(f *excelize.File, sheet string) error {
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func xlsxByClient(f *excelize.File, sheet string, r Report, locale string, wd map[string]string, st xlsxStyles) error {
	head := []any{wd["client"], wd["name"], wd["currency"]}
	for _, b := range r.Buckets {
		head = append(head, b.Label(locale))
	}
	head = append(head, wd["overdue"], wd["unapplied"], wd["total"], wd["late_rate"])
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return err
	}
	last := len(head)
	if err := f.SetCellStyle(sheet, "A1", cell(last, 1), st.header); err != nil {
		return err
	}
	row := 2
	put := func(rw Row, total bool) error {
		vals := []any{rw.ClientCode, rw.ClientName, rw.Currency}
		for _, a := range rw.Buckets {
			vals = append(vals, a.Major())
		}
		vals = append(vals, rw.Overdue().Major(), rw.Unapplied.Major(), rw.Total().Major(), rw.LateRate().Fraction())
		if err := f.SetSheetRow(sheet, cell(1, row), &vals); err != nil {
			return err
		}
		amount, text, rate := st.amount, 0, st.rate
		if total {
			amount, text, rate = st.totalAmount, st.totalText, st.totalRate
		}
		if text != 0 {
			if err := f.SetCellStyle(sheet, cell(1, row), cell(3, row), text); err != nil {
				return err
			}
		}
		if err := f.SetCellStyle(sheet, cell(4, row), cell(last-1, row), amount); err != nil {
			return err
		}
		row++
		return f.SetCellStyle(sheet, cell(last, row-1), cell(last, row-1), rate)
	}
	for _, s := range r.Sections {
		for _, rw := range s.Rows {
			if err := put(rw, false); err != nil {
				return err
			}
		}
		total := s.Total
		total.ClientName = ""
		if err := put(total, true); err != nil {
			return err
		}
		share := []any{wd["share"], "", s.Currency}
		for _, p := range s.Shares() {
			share = append(share, p.Fraction())
		}
		if err := f.SetSheetRow(sheet, cell(1, row), &share); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell(4, row), cell(3+len(r.Buckets), row), st.rate); err != nil {
			return err
		}
		row += 2
	}
	if err := f.SetColWidth(sheet, "B", "B", 28); err != nil {
		return err
	}
	lastCol, _ := excelize.ColumnNumberToName(last)
	if err := f.SetColWidth(sheet, "D", lastCol, 14); err != nil {
		return err
	}
	return freezeHeader(f, sheet)
}

func xlsxByBucket(f *excelize.File, sheet string, r Report, locale string, wd map[string]string, st xlsxStyles) error {
	head := []any{wd["bucket"], wd["currency"], wd["client"], wd["name"], wd["amount"], wd["share"]}
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, "A1", "F1", st.header); err != nil {
		return err
	}
	row := 2
	for _, g := range r.ByBucket() {
		vals := []any{g.Bucket.Label(locale), g.Currency, "TOTAL", "", g.Total.Major(), g.Share.Fraction()}
		if err := f.SetSheetRow(sheet, cell(1, row), &vals); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell(1, row), cell(4, row), st.totalText); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell(5, row), cell(5, row), st.totalAmount); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell(6, row), cell(6, row), st.totalRate); err != nil {
			return err
		}
		row++
		for _, c := range g.Clients {
			vals := []any{g.Bucket.Label(locale), g.Currency, c.ClientCode, c.ClientName, c.Amount.Major(),
				RateOf(int64(c.Amount), int64(g.Total)).Fraction()}
			if err := f.SetSheetRow(sheet, cell(1, row), &vals); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, cell(5, row), cell(5, row), st.amount); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, cell(6, row), cell(6, row), st.rate); err != nil {
				return err
			}
			row++
		}
	}
	if err := f.SetColWidth(sheet, "A", "A", 14); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "D", "D", 28); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "E", "F", 14); err != nil {
		return err
	}
	return freezeHeader(f, sheet)
}

// xlsxByInvoice streams the open items into the sheet: excelize's stream
// writer keeps memory flat whatever the number of invoices.
func xlsxByInvoice(f *excelize.File, sheet string, wd map[string]string, st xlsxStyles, items func(func(Item) error) error) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 2, 28); err != nil {
		return err
	}
	if err := sw.SetColWidth(5, 9, 13); err != nil {
		return err
	}
	heads := []string{wd["client"], wd["name"], wd["kind"], wd["number"], wd["issue"], wd["due"], wd["currency"],
		wd["amount"], wd["open"], wd["days"], wd["bucket"], wd["dispute"], wd["paused"], wd["next"]}
	head := make([]any, len(heads))
	for i, h := range heads {
		head[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	row := 2
	err = items(func(it Item) error {
		vals := []any{it.ClientCode, it.ClientName, it.Kind, it.Number,
			excelize.Cell{StyleID: st.date, Value: it.IssueDate}, nil, it.Currency,
			excelize.Cell{StyleID: st.amount, Value: it.Amount.Major()},
			excelize.Cell{StyleID: st.amount, Value: it.Open.Major()}, nil, it.Bucket, it.Disputed, nil, it.NextStep}
		if it.DueDate != nil {
			vals[5] = excelize.Cell{StyleID: st.date, Value: *it.DueDate}
		}
		if it.DaysLate != nil {
			vals[9] = *it.DaysLate
		}
		if it.PausedUntil != nil {
			vals[12] = excelize.Cell{StyleID: st.date, Value: *it.PausedUntil}
		}
		row++
		return sw.SetRow(cell(1, row-1), vals)
	})
	if err != nil {
		return err
	}
	return sw.Flush()
}

// xlsxChart writes, per currency, the buckets of the ChartClients clients
// with the largest total, and a stacked bar chart of them.
func xlsxChart(f *excelize.File, sheet string, r Report, locale string, wd map[string]string, st xlsxStyles) error {
	row := 1
	for _, s := range r.Sections {
		top := append([]Row(nil), s.Rows...)
		sort.SliceStable(top, func(i, j int) bool { return top[i].Total() > top[j].Total() })
		if len(top) > ChartClients {
			top = top[:ChartClients]
		}
		head := []any{fmt.Sprintf("%s (%s)", wd["name"], s.Currency)}
		for _, b := range r.Buckets {
			head = append(head, b.Label(locale))
		}
		if err := f.SetSheetRow(sheet, cell(1, row), &head); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell(1, row), cell(len(head), row), st.header); err != nil {
			return err
		}
		first := row + 1
		for i, rw := range top {
			vals := []any{rw.ClientName}
			for _, a := range rw.Buckets {
				vals = append(vals, a.Major())
			}
			if err := f.SetSheetRow(sheet, cell(1, first+i), &vals); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, cell(2, first+i), cell(len(head), first+i), st.amount); err != nil {
				return err
			}
		}
		last := first + len(top) - 1
		quoted := "'" + sheet + "'"
		var series []excelize.ChartSeries
		for bi := range r.Buckets {
			col, _ := excelize.ColumnNumberToName(bi + 2)
			series = append(series, excelize.ChartSeries{
				Name:       fmt.Sprintf("%s!$%s$%d", quoted, col, row),
				Categories: fmt.Sprintf("%s!$A$%d:$A$%d", quoted, first, last),
				Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", quoted, col, first, col, last),
			})
		}
		if len(top) > 0 {
			title := fmt.Sprintf(wd["title"], formatDate(r.AsOf, locale), s.Currency)
			chart := &excelize.Chart{
				Type:      excelize.BarStacked,
				Series:    series,
				Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title}}},
				Legend:    excelize.ChartLegend{Position: "bottom"},
				Dimension: excelize.ChartDimension{Width: 720, Height: uint(160 + 22*len(top))},
				YAxis:     excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "#,##0"}},
			}
			if err := f.AddChart(sheet, cell(len(head)+2, row), chart); err != nil {
				return err
			}
		}
		chartRows := (160+22*len(top))/20 + 2 // default row height is 20 px
		row = max(last+3, row+chartRows)
	}
	return f.SetColWidth(sheet, "A", "A", 28)
}
