package importer

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relance/relance/internal/clock"
)

// xlsxSource streams the rows of the first sheet of a workbook through
// excelize's Rows iterator, with raw cell values: numbers as Excel stored
// them (never the displayed, rounded text) and dates as serial numbers.
//
// The workbook is spooled to a temporary file, not read into memory: a zip
// is read from its end, so it cannot be streamed from a pipe, and excelize
// opened from a file reads each part where it lies, writing a large sheet
// out to a temporary file of its own. What stays in memory is the shared
// string table (excelize holds it whole; checkXLSX bounds it) and a row.
type xlsxSource struct {
	f     *excelize.File
	rows  *excelize.Rows
	line  int
	spool string
}

func newXLSXSource(r io.Reader) (*xlsxSource, error) {
	spool, err := spoolXLSX(r)
	if err != nil {
		return nil, err
	}
	s, err := openXLSX(spool)
	if err != nil {
		_ = os.Remove(spool)
		return nil, err
	}
	return s, nil
}

// spoolXLSX copies the workbook to a temporary file, at most maxXLSXFile
// bytes, and returns its path.
func spoolXLSX(r io.Reader) (string, error) {
	tmp, err := os.CreateTemp("", "relance-import-*.xlsx")
	if err != nil {
		return "", err
	}
	n, err := io.Copy(tmp, io.LimitReader(r, maxXLSXFile+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxXLSXFile {
		err = fmt.Errorf("workbook larger than %d MiB: export it as CSV", maxXLSXFile>>20)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// openXLSX checks the spooled workbook and opens its first sheet.
func openXLSX(spool string) (*xlsxSource, error) {
	if err := checkXLSXFile(spool); err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(spool, excelize.Options{UnzipSizeLimit: maxXLSXUnzipped})
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
	return &xlsxSource{f: f, rows: rows, spool: spool}, nil
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
	err := s.f.Close()
	_ = os.Remove(s.spool)
	return err
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
