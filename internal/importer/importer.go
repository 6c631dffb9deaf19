// Package importer loads a company's ledger into relance: open invoices and
// credit notes from CSV, XLSX or FEC files, and dated payments.
//
// A file streams through a reader (csv.go, xlsx.go, fec.go) that turns its
// records into validated rows; the rows are COPied, while the file is still
// being parsed, into a temporary staging table; set-based SQL then upserts
// clients and invoices and records settlements (store.go), all in one
// transaction. Either the whole file goes in, or nothing does and every bad
// row is reported as `file:line: column: reason`. Importing the same file
// twice changes nothing the second time.
package importer

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/ledger"
)

// DB is what the importer needs of a database: transactions.
// *pgxpool.Pool satisfies it.
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// ErrUnknownEntity is returned when --entity names no entity.
var ErrUnknownEntity = errors.New("unknown entity")

// Options configure one import.
type Options struct {
	// Entity is the code of the entity the file belongs to ("default").
	Entity string
	// Snapshot says the file lists every open item of the entity: open
	// invoices absent from it are closed as settled on AsOf.
	Snapshot bool
	// DryRun validates and counts what would change, then rolls back.
	DryRun bool
	// AsOf is the import date: it dates `paid` settlements and snapshot
	// closures, and decides which FEC lettering is already effective.
	AsOf time.Time
	// DefaultTerms and EOM compute due dates when a row has no due date.
	DefaultTerms ledger.Terms
	EOM          ledger.EOMMethod
	// Currency is used for rows without one (EUR when empty).
	Currency string
	// Progress, when set, wraps the file reader, e.g. with a progress bar;
	// size is the file's size in bytes.
	Progress func(r io.Reader, size int64) io.Reader
}

// Result says what an import did (or, with DryRun, would do).
type Result struct {
	File     string
	Format   string // csv, xlsx or fec
	Encoding string // utf-8 or windows-1252 for text files
	Rows     int    // data rows (for FEC: open items)
	Created  int
	Updated  int
	Closed   int // snapshot closures
	// Payments only: how many were recorded and how much stayed unallocated.
	Unallocated int64
	Warnings    []string
	BatchID     int64 // 0 on a dry run
	DryRun      bool
}

// input is an opened file with its checksum computed while it is read.
type input struct {
	name   string
	file   *os.File
	hash   hash.Hash
	reader io.Reader
	format string
	text   *bufio.Reader // for csv and fec
	enc    string
	header string
}

func openInput(path string, opt Options) (*input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	var r io.Reader = f
	if opt.Progress != nil {
		r = opt.Progress(r, st.Size())
	}
	in := newInput(path, r)
	in.file = f
	return in, nil
}

// newInput detects the format of r: XLSX by its zip signature, FEC by its
// header, CSV otherwise.
func newInput(name string, r io.Reader) *input {
	in := &input{name: name, hash: sha256.New()}
	in.reader = io.TeeReader(r, in.hash)
	br := bufio.NewReaderSize(in.reader, sniffSize)
	if magic, _ := br.Peek(4); string(magic) == "PK\x03\x04" {
		in.format, in.reader = "xlsx", br
		return in
	}
	in.reader = br
	in.text, in.enc = decodeText(br)
	in.header = firstLine(in.text)
	in.format = "csv"
	if isFECHeader(in.header) {
		in.format = "fec"
	}
	return in
}

// checksum drains what the parser left unread (trailing bytes) and returns
// the file's sha256.
func (in *input) checksum() string {
	_, _ = io.Copy(io.Discard, in.reader)
	return hex.EncodeToString(in.hash.Sum(nil))
}

func (in *input) Close() error {
	if in.file == nil {
		return nil
	}
	return in.file.Close()
}

// source is a reader of records: next returns a record and its line, a
// *RowError for a bad record the reader can skip, or io.EOF.
type source interface {
	next() ([]string, int, error)
}

// openImport applies the defaults of opt and opens the file at path, with
// the Result that describes it.
func openImport(path string, opt *Options) (*input, Result, error) {
	if opt.Currency == "" {
		opt.Currency = "EUR"
	}
	if opt.Entity == "" {
		opt.Entity = "default"
	}
	in, err := openInput(path, *opt)
	if err != nil {
		return nil, Result{}, err
	}
	return in, Result{File: path, Format: in.format, Encoding: in.enc, DryRun: opt.DryRun}, nil
}

// ImportInvoices imports the open invoices and credit notes of the file at
// path (CSV, XLSX or FEC, detected from its content) into the entity named
// by opt.Entity. Bad rows make it return an *ImportError and import nothing.
func ImportInvoices(ctx context.Context, db DB, path string, opt Options) (Result, error) {
	in, res, err := openImport(path, &opt)
	if err != nil {
		return res, err
	}
	defer in.Close()
	errs := &errorList{file: path}
	produce, hasPaid, closeSource, err := invoiceProducer(in, opt, errs, &res)
	if err != nil {
		return res, err
	}
	defer closeSource()

	tx, err := db.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	st := &invoiceStore{tx: tx, file: path, asOf: opt.AsOf, hasPaid: hasPaid}
	if err := st.begin(ctx, opt); err != nil {
		return res, err
	}
	n, err := copyRows(ctx, tx, "import_stage", stageColumns, produce, invoiceValues)
	if err != nil {
		return res, err
	}
	res.Rows = n
	if errs.total == 0 {
		st.check(ctx, errs)
	}
	if err := errs.err(); err != nil {
		return res, err
	}
	if st.err != nil {
		return res, st.err
	}
	if err := st.apply(ctx, opt, in.format, in.checksum(), n, &res); err != nil {
		return res, err
	}
	if opt.DryRun {
		return res, nil // the deferred rollback undoes everything
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("commit: %w", err)
	}
	return res, nil
}

// invoiceProducer prepares the reading of an invoice file: produce streams
// its valid rows to emit and its bad rows to errs.
func invoiceProducer(in *input, opt Options, errs *errorList, res *Result) (produce func(emit func(*invoiceRow) bool) error, hasPaid bool, closeSource func(), err error) {
	closeSource = func() {}
	switch in.format {
	case "fec":
		produce = func(emit func(*invoiceRow) bool) error {
			warnings, err := readFEC(in.text, opt, errs, emit)
			res.Warnings = append(res.Warnings, warnings...)
			return err
		}
	default:
		src, cols, err := openTabular(in, invoiceAliases, res)
		if err != nil {
			return nil, false, nil, err
		}
		if c, ok := src.(io.Closer); ok {
			closeSource = func() { c.Close() }
		}
		if err := requireColumns(in.name, cols, fieldNumber, fieldAmount, fieldIssueDate); err != nil {
			return nil, false, nil, err
		}
		if !cols.has(fieldClientID) && !cols.has(fieldClientName) {
			return nil, false, nil, fmt.Errorf("%s:1: header: no client_id or client_name column", in.name)
		}
		cells := textCells
		if in.format == "xlsx" {
			cells = xlsxCells
		}
		hasPaid = cols.has(fieldPaid)
		p := &rowParser{cols: cols, cells: cells, terms: opt.DefaultTerms, eom: opt.EOM, currency: opt.Currency}
		produce = func(emit func(*invoiceRow) bool) error {
			var row invoiceRow
			return eachRecord(src, errs, func(rec []string, line int) bool {
				if p.parse(rec, line, errs, &row) {
					return emit(&row)
				}
				return true
			})
		}
	}

	return produce, hasPaid, closeSource, nil
}

// openTabular opens a CSV or XLSX source and maps its header.
func openTabular(in *input, aliases map[string]field, res *Result) (source, columnMap, error) {
	var src source
	switch in.format {
	case "xlsx":
		x, err := newXLSXSource(in.reader)
		if err != nil {
			return nil, columnMap{}, fmt.Errorf("%s: %w", in.name, err)
		}
		src = x
	default:
		src = newCSVSource(in.text, sniffSeparator(in.header))
	}
	header, _, err := src.next()
	if err != nil {
		if c, ok := src.(io.Closer); ok {
			c.Close()
		}
		if errors.Is(err, io.EOF) {
			return nil, columnMap{}, fmt.Errorf("%s: empty file", in.name)
		}
		return nil, columnMap{}, fmt.Errorf("%s:1: header: %w", in.name, err)
	}
	header = append([]string(nil), header...) // the CSV reader reuses records
	cols, unknown := mapHeader(header, aliases)
	if len(unknown) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s:1: ignored unknown columns: %s", in.name, strings.Join(unknown, ", ")))
	}
	return src, cols, nil
}

func requireColumns(file string, cols columnMap, fields ...field) error {
	var missing []string
	for _, f := range fields {
		if !cols.has(f) {
			missing = append(missing, f.String())
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s:1: header: missing column(s) %s (see `relance import invoices --help` for the accepted names)", file, strings.Join(missing, ", "))
	}
	return nil
}

// eachRecord feeds every good record of src to fn, reporting bad records to
// errs; it stops early when fn returns false.
func eachRecord(src source, errs *errorList, fn func(rec []string, line int) bool) error {
	for {
		rec, line, err := src.next()
		if err != nil {
			var re *RowError
			if errors.As(err, &re) {
				errs.add(re.Line, re.Column, re.Reason)
				continue
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("%s:%d: %w", errs.file, line, err)
		}
		if !fn(rec, line) {
			return nil
		}
	}
}

func baseName(path string) string { return filepath.Base(path) }
