package importer

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relance/relance/internal/clock"
)

// xlsxSource streams the rows of the first sheet of a workbook through
// excelize's Rows iterator, with raw cell values: numbers as Excel stored
// them (never the displayed, rounded text) and dates as serial numbers.
type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func newXLSXSource(r io.Reader) (*xlsxSource, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxXLSXFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxXLSXFile {
		return nil, fmt.Errorf("workbook larger than %d MiB: export it as CSV", maxXLSXFile>>20)
	}
	if err := checkXLSX(data); err != nil {
		return nil, fmt.Errorf("workbook refused: %w", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxXLSXUnzipped})
	if err != nil {
		return nil, fmt.Errorf("open workbook: %w", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, fmt.Errorf("workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("read sheet %q: %w", sheets[0], err)
	}
	return &xlsxSource{f: f, rows: rows}, nil
}

func (s *xlsxSource) next() ([]string, int, error) {
	for s.rows.Next() {
		s.line++
		rec, err := s.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, s.line, fmt.Errorf("row %d: %w", s.line, err)
		}
		if blank(rec) {
			continue
		}
		return rec, s.line, nil
	}
	if err := s.rows.Error(); err != nil {
		return nil, s.line, err
	}
	return nil, s.line, io.EOF
}

func (s *xlsxSource) Close() error {
	_ = s.rows.Close()
	return s.f.Close()
}

// excelSerialDate reads a date cell stored as an Excel serial number (days
// since 1899-12-30 in the 1900 date system); a time of day is dropped.
func excelSerialDate(s string) (time.Time, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1 || f > 200000 {
		return time.Time{}, false
	}
	t, err := excelize.ExcelDateToTime(f, false)
	if err != nil {
		return time.Time{}, false
	}
	return clock.Date(t.Year(), t.Month(), t.Day()), true
}
