package importer

import (
	"context"
	"fmt"
	"slices"

	"github.com/relance/relance/internal/ledger"
)

// Records are rows already split into named values, such as the items of a
// JSON API body: the same columns as a file (Header, by their canonical
// names: InvoiceColumns, PaymentColumns, ClientColumns), one value per
// column in each row, "" where the row says nothing. They go through the
// same checks, with the same words, and the same ledger batch as a file;
// an error names a row by its index in Rows.
type Records struct {
	// Name and Checksum say where the rows come from, for the batch's
	// record and event: the API names its request ("POST /api/v1/invoices")
	// and gives the sha256 of its body.
	Name, Checksum string
	Header         []string
	Rows           [][]string
}

// canonical lists the canonical names of fields, in order.
func canonical(fields ...field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.String()
	}
	return out
}

// The canonical columns of each kind of record, as a file's header would
// name them.
var (
	clientFields = []field{fieldClientID, fieldClientName, fieldEmail, fieldCC, fieldLocale, fieldProfile, fieldSegment,
		fieldCountry, fieldAddress1, fieldAddress2, fieldPostcode, fieldCity, fieldContact, fieldPhone,
		fieldSIREN, fieldSIRET, fieldVAT, fieldCreditLimit}
	invoiceFields = append([]field{fieldNumber, fieldIssueDate, fieldDueDate, fieldTerms, fieldAmount, fieldAmountExcl,
		fieldPaid, fieldCurrency, fieldKind, fieldAppliesTo}, clientFields...)
	paymentFields = []field{fieldNumber, fieldClientID, fieldPaymentDate, fieldAmount, fieldReference, fieldCurrency}
)

// InvoiceColumns are the columns of an invoice record: those of an invoice
// file, by their canonical names.
func InvoiceColumns() []string { return canonical(invoiceFields...) }

// PaymentColumns are the columns of a payment record.
func PaymentColumns() []string { return canonical(paymentFields...) }

// ClientColumns are the columns of a client record: what an invoice file
// says of its client.
func ClientColumns() []string { return canonical(clientFields...) }

// recordParser checks recs' header against the columns allowed and returns
// a row parser over it.
func recordParser(recs Records, allowed []field, opt Options) (*rowParser, error) {
	names := canonical(allowed...)
	for _, h := range recs.Header {
		if !slices.Contains(names, h) {
			return nil, fmt.Errorf("%s: unknown column %s", recs.Name, ledger.Quote(h))
		}
	}
	cols, _ := mapHeader(recs.Header, invoiceAliases)
	if slices.Equal(allowed, paymentFields) {
		cols, _ = mapHeader(recs.Header, paymentAliases)
	}
	return &rowParser{cols: cols, header: recs.Header, cells: textCells, terms: opt.DefaultTerms, eom: opt.EOM,
		currency: opt.Currency, file: recs.Name, cleaned: cleanTally{file: recs.Name}}, nil
}

// recordsDefaults applies opt's defaults for records.
func recordsDefaults(recs Records, opt *Options) Result {
	if opt.Currency == "" {
		opt.Currency = "EUR"
	}
	if opt.Entity == "" {
		opt.Entity = "default"
	}
	return Result{File: recs.Name, Format: "json", DryRun: opt.DryRun}
}

// source is the batch's record of recs.
func (recs Records) source() ledger.BatchSource {
	return ledger.BatchSource{Name: recs.Name, Checksum: recs.Checksum, Format: "json"}
}

// produceRecords streams recs' rows that parse reads without a problem to
// a ledger batch's Copy (copyRows), the problems to errs, a row's index
// being its line.
func produceRecords[R any](recs Records, p *rowParser, errs *errorList, res *Result,
	parse func(*rowParser, []string, int, *errorList, *R) bool) func(emit func(*R) bool) error {
	return func(emit func(*R) bool) error {
		var row R
		for i, rec := range recs.Rows {
			if parse(p, rec, i, errs, &row) && !emit(&row) {
				break
			}
		}
		res.Warnings = append(res.Warnings, p.finish()...)
		return nil
	}
}

// ImportInvoiceRecords imports invoices and credit notes given as records,
// as ImportInvoices imports a file: bad rows make it return an *ImportError
// (Line is the row's index) and import nothing.
func ImportInvoiceRecords(ctx context.Context, db DB, recs Records, opt Options) (Result, error) {
	res := recordsDefaults(recs, &opt)
	p, err := recordParser(recs, invoiceFields, opt)
	if err != nil {
		return res, err
	}
	errs := &errorList{file: recs.Name}
	rd := &invoiceReader{close: func() {}, badNumbers: func() []string { return p.badNumbers },
		produce: produceRecords(recs, p, errs, &res, (*rowParser).parse)}
	return applyInvoices(ctx, db, rd, errs, opt, &res, recs.source)
}

// ImportPaymentRecords imports payments given as records, as ImportPayments
// imports a file.
func ImportPaymentRecords(ctx context.Context, db DB, recs Records, opt Options) (Result, error) {
	res := recordsDefaults(recs, &opt)
	p, err := recordParser(recs, paymentFields, opt)
	if err != nil {
		return res, err
	}
	errs := &errorList{file: recs.Name}
	produce := produceRecords(recs, p, errs, &res, (*rowParser).parsePayment)
	return applyPayments(ctx, db, produce, errs, opt, &res, recs.source)
}

// ImportClientRecords creates or updates clients given as records: each
// row's client_id is the client's code, and what a row says of its client
// is checked as an invoice file's row is. A value a row does not give
// leaves what the ledger has.
func ImportClientRecords(ctx context.Context, db DB, recs Records, opt Options) (Result, error) {
	res := recordsDefaults(recs, &opt)
	p, err := recordParser(recs, clientFields, opt)
	if err != nil {
		return res, err
	}
	errs := &errorList{file: recs.Name}
	produce := produceRecords(recs, p, errs, &res, (*rowParser).parseClientRecord)
	tx, err := db.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	batch, err := ledger.New(tx, ledger.Options{Entity: opt.Entity}).StageClients(ctx, tx)
	if err != nil {
		return res, err
	}
	if res.Rows, err = copyRows(ctx, func(ctx context.Context, f *feed[ledger.BatchClient]) (int, error) {
		return batch.Copy(ctx, f.values((*ledger.BatchClient).Values))
	}, produce); err != nil {
		return res, err
	}
	problems, err := batch.Problems(ctx)
	if err != nil {
		return res, err
	}
	errs.addProblems(problems)
	if err := errs.err(); err != nil {
		return res, err
	}
	applied, err := batch.Apply(ctx, ledger.Act{Actor: opt.Actor, Day: opt.AsOf}, recs.source())
	if err != nil {
		return res, err
	}
	res.ClientsCreated, res.ClientsUpdated = applied.ClientsCreated, applied.ClientsUpdated
	res.Created, res.Updated = applied.Created, applied.Updated
	err = finish(ctx, tx, opt, applied, &res) // sets res.BatchID: before res is read
	return res, err
}

// parseClientRecord reads a client record; false when it is refused.
func (p *rowParser) parseClientRecord(rec []string, line int, errs *errorList, row *ledger.BatchClient) bool {
	before := errs.total
	*row = ledger.BatchClient{Line: line}
	if !p.fits(rec, line, errs) {
		return false
	}
	p.rec, p.line, p.errs = rec, line, errs
	if row.Code = p.c(fieldClientID); row.Code == "" {
		p.bad(fieldClientID, "missing client_id")
	}
	p.parseClient(&row.Client, p.opt(fieldClientName))
	return errs.total == before
}
