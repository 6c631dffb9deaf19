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
	if err := xlsxByInvoice(f, names[2], locale, wd, st, items, excelize.TotalRows); err != nil {
		return fmt.Errorf("xlsx %s: %w", names[2], err)
	}
	if err := xlsxChart(f, names[3], r, locale, wd, st); err != nil {
		return fmt.Errorf("xlsx %s: %w", names[3], err)
	}
	// excelize builds the archive in memory whatever it writes to; take its
	// buffer rather than copying it into another.
	buf, err := f.WriteToBuffer()
	if err != nil {
		return err
	}
	return sortedZip(w, buf.Bytes())
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// styled wraps a value in a cell with a style.
func styled(style int, v any) excelize.Cell { return excelize.Cell{StyleID: style, Value: v} }

// newSheetStream opens a stream writer on sheet with a frozen header row
// and the given column widths (1-based column → width).
func newSheetStream(f *excelize.File, sheet string, widths map[int]float64) (*excelize.StreamWriter, error) {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	cols := make([]int, 0, len(widths))
	for c := range widths {
		cols = append(cols, c)
	}
	sort.Ints(cols) // the stream writer wants them in order
	for _, c := range cols {
		if err := sw.SetColWidth(c, c, widths[c]); err != nil {
			return nil, err
		}
	}
	return sw, nil
}

func headerRow(st xlsxStyles, heads ...string) []any {
	row := make([]any, len(heads))
	for i, h := range heads {
		row[i] = styled(st.header, h)
	}
	return row
}

// xlsxByClient streams the by-client sheet: one row per client, a TOTAL row
// and a share row per currency.
func xlsxByClient(f *excelize.File, sheet string, r Report, locale string, wd map[string]string, st xlsxStyles) error {
	heads := []string{wd["client"], wd["name"], wd["currency"]}
	for _, b := range r.Buckets {
		heads = append(heads, b.Label(locale))
	}
	heads = append(heads, wd["overdue"], wd["unapplied"], wd["total"], wd["late_rate"], wd["disputed"])
	group := r.Consolidated()
	if group {
		heads = append(heads, wd["entity"])
	}
	widths := map[int]float64{1: 12, 2: 28}
	for c := 4; c <= len(heads); c++ {
		widths[c] = 14
	}
	sw, err := newSheetStream(f, sheet, widths)
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", headerRow(st, heads...)); err != nil {
		return err
	}
	row := 2
	put := func(vals []any) error {
		row++
		return sw.SetRow(cell(1, row-1), vals)
	}
	line := func(rw Row, total bool) []any {
		amount, text, rate := st.amount, 0, st.rate
		if total {
			amount, text, rate = st.totalAmount, st.totalText, st.totalRate
		}
		vals := []any{styled(text, rw.ClientCode), styled(text, rw.ClientName), styled(text, rw.Currency)}
		for _, a := range rw.Buckets {
			vals = append(vals, styled(amount, a.Major()))
		}
		vals = append(vals, styled(amount, rw.Overdue().Major()), styled(amount, rw.Unapplied.Major()),
			styled(amount, rw.Total().Major()), styled(rate, rw.LateRate().Fraction()), styled(amount, rw.Disputed.Major()))
		if group {
			vals = append(vals, styled(text, rw.EntityCode))
		}
		return vals
	}
	for _, s := range r.Sections {
		for i, rw := range s.Rows {
			if err := put(line(rw, false)); err != nil {
				return err
			}
			if sub, ok := s.SubtotalAfter(i); ok {
				sub.ClientCode, sub.ClientName = wd["subtotal"], sub.EntityName
				if err := put(line(sub, true)); err != nil {
					return err
				}
			}
		}
		total := s.Total
		total.ClientName = ""
		if err := put(line(total, true)); err != nil {
			return err
		}
		share := []any{wd["share"], "", s.Currency}
		for _, p := range s.Shares() {
			share = append(share, styled(st.rate, p.Fraction()))
		}
		if err := put(share); err != nil {
			return err
		}
		row++ // a blank row between currencies
	}
	return sw.Flush()
}

// xlsxByBucket streams the by-bucket sheet: per currency and bucket, a
// TOTAL row then its clients, largest first, with their share of the bucket.
func xlsxByBucket(f *excelize.File, sheet string, r Report, locale string, wd map[string]string, st xlsxStyles) error {
	sw, err := newSheetStream(f, sheet, map[int]float64{1: 14, 3: 12, 4: 28, 5: 14, 6: 12})
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", headerRow(st, wd["bucket"], wd["currency"], wd["client"], wd["name"], wd["amount"], wd["share"])); err != nil {
		return err
	}
	row := 2
	for _, g := range r.ByBucket() {
		label := g.Bucket.Label(locale)
		vals := []any{styled(st.totalText, label), styled(st.totalText, g.Currency), styled(st.totalText, TotalCode),
			styled(st.totalText, ""), styled(st.totalAmount, g.Total.Major()), styled(st.totalRate, g.Share.Fraction())}
		if err := sw.SetRow(cell(1, row), vals); err != nil {
			return err
		}
		row++
		for _, c := range g.Clients {
			vals := []any{label, g.Currency, c.ClientCode, c.ClientName, styled(st.amount, c.Amount.Major()),
				styled(st.rate, RateOf(int64(c.Amount), int64(g.Total)).Fraction())}
			if err := sw.SetRow(cell(1, row), vals); err != nil {
				return err
			}
			row++
		}
	}
	return sw.Flush()
}

// xlsxByInvoice streams the open items into the sheet: excelize's stream
// writer keeps memory flat whatever the number of invoices.
func xlsxByInvoice(f *excelize.File, sheet, locale string, wd map[string]string, st xlsxStyles, items func(func(Item) error) error, maxRows int) error {
	sw, err := newSheetStream(f, sheet, map[int]float64{2: 28, 5: 13, 6: 13, 7: 9, 8: 13, 9: 13, 11: 11, 13: 13, 14: 16})
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", headerRow(st, wd["client"], wd["name"], wd["kind"], wd["number"], wd["issue"], wd["due"],
		wd["currency"], wd["amount"], wd["open"], wd["days"], wd["bucket"], wd["dispute"], wd["paused"], wd["next"])); err != nil {
		return err
	}
	row, left := 2, 0
	err = items(func(it Item) error {
		if row == maxRows { // the sheet's last row says what did not fit
			left++
			return nil
		}
		vals := []any{it.ClientCode, it.ClientName, kindLabel(it.Kind, locale), it.Number,
			excelize.Cell{StyleID: st.date, Value: it.IssueDate}, nil, it.Currency,
			excelize.Cell{StyleID: st.amount, Value: it.Amount.Major()},
			excelize.Cell{StyleID: st.amount, Value: it.Open.Major()}, nil, bucketLabel(it.Bucket, locale), it.Disputed, nil,
			nextStepLabel(it.NextStep, locale)}
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
	if left > 0 {
		if err := sw.SetRow(cell(1, row), []any{fmt.Sprintf(wd["items_left"], left)}); err != nil {
			return err
		}
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
			noVary := false // one colour per bucket, not per client
			chart := &excelize.Chart{
				Type:       excelize.BarStacked,
				VaryColors: &noVary,
				Series:     series,
				Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title}}},
				Legend:     excelize.ChartLegend{Position: "bottom"},
				Dimension:  excelize.ChartDimension{Width: 720, Height: uint(160 + 22*len(top))},
				YAxis:      excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "#,##0"}},
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
