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
	"strconv"
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

// Options configure one import.
type Options struct {
	// Entity is the code of the entity the file belongs to ("default").
	Entity string
	// Actor is who imports, for the import's event: "cli:<OS user>",
	// "demo"… (ledger.Act).
	Actor string
	// Snapshot says the file lists every open item of the entity: open
	// invoices absent from it are closed as settled on AsOf.
	Snapshot bool
	// SnapshotMaxClose is the share of the open items (0 to 1) a snapshot
	// may close; beyond it, or for a snapshot of no rows, the import is
	// refused with a *SnapshotError unless Force. 0 means
	// DefaultSnapshotMaxClose.
	SnapshotMaxClose float64
	// Force accepts a snapshot that closes more than SnapshotMaxClose.
	Force bool
	// DryRun validates and counts what would change, then rolls back.
	DryRun bool
	// AsOf is the import date: it dates `paid` settlements and snapshot
	// closures, and decides which FEC lettering is already effective.
	AsOf time.Time
	// DataAsOf is when the file's data was true (the ERP's or the bank's
	// export): the freshness guard holds sends while an entity's payment
	// data is too old. Zero: the moment it is imported.
	DataAsOf time.Time
	// DefaultTerms and EOM compute due dates when a row has no due date.
	DefaultTerms ledger.Terms
	EOM          ledger.EOMMethod
	// Currency is used for rows without one (EUR when empty).
	Currency string
	// Progress, when set, wraps the file reader, e.g. with a progress bar;
	// size is the file's size in bytes.
	Progress func(r io.Reader, size int64) io.Reader
	// RefuseMoves refuses, as a *ConflictError, a row that would move an
	// invoice with reminders or settlements to another client or currency
	// (the API's rule; a file import rewrites them as its source says).
	RefuseMoves bool
}

// ConflictError is an import refused because rows would change what an
// invoice's reminders and settlements were recorded against (RefuseMoves).
// Nothing was imported.
type ConflictError struct {
	ImportError
}

// DefaultSnapshotMaxClose is the share of the open items a snapshot may
// close without --force (config import.snapshot_max_close).
const DefaultSnapshotMaxClose = 0.5

// SnapshotError is a snapshot refused because it has no rows or would close
// more than its share of the open items. Nothing was imported.
type SnapshotError struct {
	File     string
	Rows     int     // data rows of the file
	Closing  int     // open items it would close
	Open     int     // open items of the entity before the import
	MaxShare float64 // the share allowed
}

func (e *SnapshotError) Error() string {
	if e.Rows == 0 {
		return fmt.Sprintf("%s: a --snapshot with no rows would close all %d open items; nothing imported "+
			"(check the file; pass --force if the entity really has nothing left open)", e.File, e.Closing)
	}
	return fmt.Sprintf("%s: this --snapshot would close %d of the %d open items (%.1f%%, more than the %s allowed "+
		"by import.snapshot_max_close); nothing imported (check that the file lists every open item; "+
		"pass --force to close them)", e.File, e.Closing, e.Open, 100*float64(e.Closing)/float64(e.Open), formatShare(e.MaxShare))
}

func formatShare(f float64) string {
	return strconv.FormatFloat(100*f, 'f', -1, 64) + "%"
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
	// Clients created and updated by what the rows say of them.
	ClientsCreated, ClientsUpdated int
	// Payments only: how many were recorded and how much stayed unallocated.
	Unallocated int64
	Warnings    []string
	BatchID     int64 // 0 on a dry run
	DryRun      bool
	// leftOut are the rows the reader left out of the batch, the ledger
	// having them as they are (reimport.go); counted in Rows. leftClients
	// are the clients it left out with them.
	leftOut, leftClients int
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
	magic, _ := br.Peek(4)
	switch string(magic) {
	case "PK\x03\x04":
		in.format, in.reader = "xlsx", br
		return in
	case "\xd0\xcf\x11\xe0": // an OLE compound file: Excel 97-2003, or an encrypted workbook
		in.format, in.reader = "xls", br
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
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case in.format == "xls":
		in.Close()
		return nil, Result{}, fmt.Errorf("%s: an Excel 97-2003 (.xls) or password-protected workbook: save it as .xlsx, without a password, or as CSV", path)
	case in.format != "xlsx" && (ext == ".xlsx" || ext == ".xlsm"):
		in.Close()
		return nil, Result{}, fmt.Errorf("%s: %w: an .xlsx file is a zip archive, and this one is not (save it again from Excel, or as CSV)", path, errNotXLSX)
	}
	return in, Result{File: path, Format: in.format, Encoding: in.enc, DryRun: opt.DryRun}, nil
}

// ImportInvoices imports the open invoices and credit notes of the file at
// path (CSV, XLSX or FEC, detected from its content) into the entity named
// by opt.Entity. Bad rows make it return an *ImportError and import nothing;
// a snapshot that would close too much returns a *SnapshotError.
//
// The importer reads and checks; the ledger applies: the rows are COPied
// into a ledger.InvoiceBatch while the file is parsed, and the batch's
// set-based statements write them, with one event for the file.
func ImportInvoices(ctx context.Context, db DB, path string, opt Options) (Result, error) {
	res, err := importInvoiceFile(ctx, db, path, opt, true)
	if errors.Is(err, errReadAgain) {
		return importInvoiceFile(ctx, db, path, opt, false)
	}
	return res, err
}

// importInvoiceFile is ImportInvoices, leaving out the rows the ledger has
// as they are when leave (reimport.go).
func importInvoiceFile(ctx context.Context, db DB, path string, opt Options, leave bool) (Result, error) {
	in, res, err := openImport(path, &opt)
	if err != nil {
		return res, err
	}
	defer in.Close()
	errs := &errorList{file: path}
	rd, err := invoiceProducer(in, opt, errs, &res)
	if err != nil {
		return res, err
	}
	defer rd.close()
	if leave {
		rd.unchanged = &unchangedRows{snapshot: opt.Snapshot}
	}
	return applyInvoices(ctx, db, rd, errs, opt, &res, func() ledger.BatchSource {
		return ledger.BatchSource{Name: baseName(path), Checksum: in.checksum(), Format: in.format, AsOf: opt.DataAsOf}
	})
}

// applyInvoices streams what rd reads into a ledger batch in its own
// transaction, runs the batch-wide checks, and applies it as source() says.
// res is the reader's too: it adds its warnings while it reads.
func applyInvoices(ctx context.Context, db DB, rd *invoiceReader, errs *errorList, opt Options, res *Result,
	source func() ledger.BatchSource) (Result, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return *res, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	store := ledger.New(tx, ledger.Options{Entity: opt.Entity})
	batch, err := store.StageInvoices(ctx, tx)
	if err != nil {
		return *res, err
	}
	produce := rd.produce
	if rd.unchanged != nil {
		if produce, err = rd.unchanged.load(ctx, db, store, tx, produce); err != nil {
			return *res, err
		}
		defer rd.unchanged.close()
	}
	n, err := copyRows(ctx, func(ctx context.Context, f *feed[ledger.BatchInvoice]) (int, error) {
		return batch.Copy(ctx, f.row)
	}, produce)
	if err != nil {
		return *res, err
	}
	if u := rd.unchanged; u != nil {
		left, err := u.unchanged(ctx, batch)
		if err == nil {
			err = batch.Unchanged(ctx, left)
		}
		if err != nil {
			return *res, err
		}
		n, res.leftOut, res.leftClients = n+u.rows, u.rows, u.leftClients
	}
	res.Rows = n
	// The batch-wide checks run even when rows were refused, so that a file
	// gets every error in one pass, duplicates included.
	problems, err := batch.Problems(ctx, rd.badNumbers())
	if err != nil {
		return *res, err
	}
	errs.addProblems(problems)
	if err := errs.err(); err != nil {
		return *res, err
	}
	if err := refuseMoves(ctx, batch, opt, errs.file); err != nil {
		return *res, err
	}
	if opt.Snapshot {
		if err := guardSnapshot(ctx, batch, opt, errs.file, n); err != nil {
			return *res, err
		}
	}
	applied, err := batch.Apply(ctx, ledger.Act{Actor: opt.Actor, Day: opt.AsOf}, source(), opt.Snapshot)
	if err != nil {
		return *res, err
	}
	res.Created, res.Updated, res.Closed = applied.Created, applied.Updated, applied.Closed
	res.ClientsCreated, res.ClientsUpdated = applied.ClientsCreated, applied.ClientsUpdated
	err = finish(ctx, tx, opt, applied, res) // sets res.BatchID: before *res is read
	return *res, err
}

// refuseMoves returns a *ConflictError, with opt.RefuseMoves, for the rows
// that would move an invoice with reminders or settlements to another
// client or currency.
func refuseMoves(ctx context.Context, batch *ledger.InvoiceBatch, opt Options, file string) error {
	if !opt.RefuseMoves {
		return nil
	}
	moves, err := batch.Moves(ctx)
	if err != nil || len(moves) == 0 {
		return err
	}
	l := &errorList{file: file}
	l.addProblems(moves)
	return &ConflictError{ImportError: *l.err().(*ImportError)}
}

// finish commits the import, or on a dry run leaves it to the deferred
// rollback.
func finish(ctx context.Context, tx pgx.Tx, opt Options, applied ledger.Applied, res *Result) error {
	if opt.DryRun {
		return nil
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	res.BatchID = applied.Batch
	return nil
}

// guardSnapshot refuses, unless opt.Force, a snapshot of no rows or one
// that would close more than opt.SnapshotMaxClose of the open items: a
// truncated export or the wrong file would otherwise settle what is still
// owed.
func guardSnapshot(ctx context.Context, batch *ledger.InvoiceBatch, opt Options, path string, rows int) error {
	if opt.Force {
		return nil
	}
	e := &SnapshotError{File: path, Rows: rows, MaxShare: opt.SnapshotMaxClose}
	if e.MaxShare <= 0 {
		e.MaxShare = DefaultSnapshotMaxClose
	}
	var err error
	if e.Closing, e.Open, err = batch.SnapshotCloses(ctx); err != nil {
		return err
	}
	if rows == 0 || float64(e.Closing) > e.MaxShare*float64(e.Open) {
		return e
	}
	return nil
}

// invoiceReader is the reading side of an invoice import: produce streams
// the file's valid rows to emit and its bad rows to the error list.
type invoiceReader struct {
	produce    func(emit func(*ledger.BatchInvoice) bool) error
	close      func()
	badNumbers func() []string
	// unchanged, when set, leaves out the rows the ledger has as they are.
	unchanged *unchangedRows
}

// invoiceProducer prepares the reading of an invoice file.
func invoiceProducer(in *input, opt Options, errs *errorList, res *Result) (*invoiceReader, error) {
	rd := &invoiceReader{close: func() {}, badNumbers: func() []string { return nil }}
	if in.format == "fec" {
		rd.produce = func(emit func(*ledger.BatchInvoice) bool) error {
			warnings, err := readFEC(in.text, opt, errs, emit)
			res.Warnings = append(res.Warnings, warnings...)
			return err
		}
		return rd, nil
	}
	src, header, cols, err := openTabular(in, invoiceAliases, res)
	if err != nil {
		return nil, err
	}
	if c, ok := src.(io.Closer); ok {
		rd.close = func() { c.Close() }
	}
	if err := requireColumns(in.name, cols, fieldNumber, fieldAmount, fieldIssueDate); err != nil {
		rd.close()
		return nil, err
	}
	if !cols.has(fieldClientID) && !cols.has(fieldClientName) {
		rd.close()
		return nil, fmt.Errorf("%s:1: header: no client_id or client_name column", in.name)
	}
	cells := textCells
	if in.format == "xlsx" {
		cells = xlsxCells
	}
	p := &rowParser{cols: cols, header: header, cells: cells, terms: opt.DefaultTerms, eom: opt.EOM,
		currency: opt.Currency, file: in.name, cleaned: cleanTally{file: in.name}}
	rd.badNumbers = func() []string { return p.badNumbers }
	rd.produce = func(emit func(*ledger.BatchInvoice) bool) error {
		var row ledger.BatchInvoice
		err := eachRecordAhead(src, errs, func(rec []string, line int) bool {
			if p.parse(rec, line, errs, &row) {
				return emit(&row)
			}
			return true
		})
		res.Warnings = append(res.Warnings, p.finish()...)
		return err
	}
	return rd, nil
}

// openTabular opens a CSV or XLSX source and maps its header, which it
// returns too.
func openTabular(in *input, aliases map[string]field, res *Result) (source, []string, columnMap, error) {
	var src source
	switch in.format {
	case "xlsx":
		x, err := newXLSXSource(in.reader)
		if err != nil {
			return nil, nil, columnMap{}, fmt.Errorf("%s: %w", in.name, err)
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
			return nil, nil, columnMap{}, fmt.Errorf("%s: empty file", in.name)
		}
		return nil, nil, columnMap{}, fmt.Errorf("%s:1: header: %w", in.name, err)
	}
	header = append([]string(nil), header...) // the CSV reader reuses records
	cols, unknown := mapHeader(header, aliases)
	if len(unknown) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s:1: ignored unknown columns: %s", in.name, strings.Join(unknown, ", ")))
	}
	return src, header, cols, nil
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
		if more, err := takeRecord(rec, line, err, errs, fn); !more {
			return err
		}
	}
}

// takeRecord hands what src.next returned to fn or errs, and says whether
// to go on (with the error that ends the file when not).
func takeRecord(rec []string, line int, err error, errs *errorList, fn func(rec []string, line int) bool) (bool, error) {
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			errs.add(re.Line, re.Column, re.Reason)
			return true, nil
		}
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, fmt.Errorf("%s:%d: %w", errs.file, line, err)
	}
	return fn(rec, line), nil
}

func baseName(path string) string { return filepath.Base(path) }
