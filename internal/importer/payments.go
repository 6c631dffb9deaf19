package importer

import (
	"context"
	"fmt"
	"io"

	"github.com/relance/relance/internal/ledger"
)

// ImportPayments imports dated payments (CSV or XLSX: invoice number, date,
// amount, optional reference and client id). Each payment is allocated to
// its invoice up to what the invoice still owes, in date order; the rest
// stays unallocated on the payment, an unapplied credit of the client. The
// same payment (client, invoice, date, amount, reference) is never recorded
// twice, so re-importing a file is a no-op. Bad rows make it return an
// *ImportError and import nothing. As for invoices, the importer reads and
// checks, a ledger.PaymentBatch applies.
func ImportPayments(ctx context.Context, db DB, path string, opt Options) (Result, error) {
	in, res, err := openImport(path, &opt)
	if err != nil {
		return res, err
	}
	defer in.Close()
	if in.format == "fec" {
		return res, fmt.Errorf("%s: a FEC cannot be imported as payments; import it with `relance import invoices`", path)
	}
	src, header, cols, err := openTabular(in, paymentAliases, &res)
	if err != nil {
		return res, err
	}
	if c, ok := src.(io.Closer); ok {
		defer c.Close()
	}
	if err := requireColumns(path, cols, fieldPaymentDate, fieldAmount); err != nil {
		return res, err
	}
	if !cols.has(fieldNumber) && !cols.has(fieldClientID) {
		return res, fmt.Errorf("%s:1: header: no invoice_number or client_id column", path)
	}
	p := &rowParser{cols: cols, header: header, cells: textCells, currency: opt.Currency, file: path, cleaned: cleanTally{file: path}}
	if in.format == "xlsx" {
		p.cells = xlsxCells
	}
	errs := &errorList{file: path}
	produce := func(emit func(*ledger.BatchPayment) bool) error {
		err := eachRecord(src, errs, func(rec []string, line int) bool {
			var row ledger.BatchPayment
			if p.parsePayment(rec, line, errs, &row) {
				return emit(&row)
			}
			return true
		})
		res.Warnings = append(res.Warnings, p.finish()...)
		return err
	}
	return applyPayments(ctx, db, produce, errs, opt, &res, func() ledger.BatchSource {
		return ledger.BatchSource{Name: baseName(path), Checksum: in.checksum(), Format: in.format, AsOf: opt.DataAsOf}
	})
}

// applyPayments streams what produce reads into a ledger batch in its own
// transaction, resolves it, and applies it as source() says.
func applyPayments(ctx context.Context, db DB, produce func(emit func(*ledger.BatchPayment) bool) error,
	errs *errorList, opt Options, res *Result, source func() ledger.BatchSource) (Result, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return *res, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	batch, err := ledger.New(tx, ledger.Options{Entity: opt.Entity}).StagePayments(ctx, tx)
	if err != nil {
		return *res, err
	}
	n, err := copyRows(ctx, func(ctx context.Context, f *feed[ledger.BatchPayment]) (int, error) {
		return batch.Copy(ctx, f.values((*ledger.BatchPayment).Values))
	}, produce)
	if err != nil {
		return *res, err
	}
	res.Rows = n
	problems, err := batch.Problems(ctx)
	if err != nil {
		return *res, err
	}
	errs.addProblems(problems)
	if err := errs.err(); err != nil {
		return *res, err
	}
	applied, err := batch.Apply(ctx, ledger.Act{Actor: opt.Actor, Day: opt.AsOf}, source())
	if err != nil {
		return *res, err
	}
	res.Created, res.Unallocated = applied.Created, int64(applied.Unallocated)
	err = finish(ctx, tx, opt, applied, res) // sets res.BatchID: before *res is read
	return *res, err
}

func (p *rowParser) parsePayment(rec []string, line int, errs *errorList, row *ledger.BatchPayment) bool {
	before := errs.total
	*row = ledger.BatchPayment{Line: line, Currency: p.currency}
	if !p.fits(rec, line, errs) {
		return false
	}
	c := func(f field) string { return p.cell(rec, line, f) }
	bad := func(f field, format string, args ...any) { errs.add(line, f.String(), fmt.Sprintf(format, args...)) }
	if s := c(fieldNumber); s != "" {
		row.Invoice = &s
	}
	if s := c(fieldClientID); s != "" {
		row.Client = &s
	}
	if row.Invoice == nil && row.Client == nil {
		bad(fieldNumber, "missing invoice number (or client_id)")
	}
	var err error
	if s := c(fieldPaymentDate); s == "" {
		bad(fieldPaymentDate, "missing payment date")
	} else if row.Received, err = p.date(s); err != nil {
		bad(fieldPaymentDate, "%v", err)
	}
	if s := c(fieldAmount); s == "" {
		bad(fieldAmount, "missing amount")
	} else if row.Amount, err = p.amount(s); err != nil {
		bad(fieldAmount, "%v", err)
	} else if row.Amount <= 0 {
		bad(fieldAmount, "a payment must be positive")
	}
	if s := c(fieldReference); s != "" {
		row.Reference = &s
	}
	if s := c(fieldCurrency); s != "" {
		if row.Currency, err = ledger.NormalizeCurrency(s); err != nil {
			bad(fieldCurrency, "%v", err)
		}
	}
	return errs.total == before
}
