package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// paymentRow is one validated payment, ready for staging.
type paymentRow struct {
	line       int
	number     *string
	clientCode *string
	date       time.Time
	amount     int64
	reference  *string
	currency   string
}

var paymentStageColumns = []string{"line", "invoice_number", "client_code", "received_on", "amount", "reference", "currency"}

func paymentValues(r *paymentRow, buf []any) []any {
	return append(buf[:0], int32(r.line), nullable(r.number), nullable(r.clientCode), r.date, r.amount, nullable(r.reference), r.currency)
}

// ImportPayments imports dated payments (CSV or XLSX: invoice number, date,
// amount, optional reference and client id). Each payment is allocated to
// its invoice up to what the invoice still owes, in date order; the rest
// stays unallocated on the payment, an unapplied credit of the client. The
// same payment (client, invoice, date, amount, reference) is never recorded
// twice, so re-importing a file is a no-op. Bad rows make it return an
// *ImportError and import nothing.
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
	produce := func(emit func(*paymentRow) bool) error {
		err := eachRecord(src, errs, func(rec []string, line int) bool {
			var row paymentRow
			if p.parsePayment(rec, line, errs, &row) {
				return emit(&row)
			}
			return true
		})
		res.Warnings = append(res.Warnings, p.finish()...)
		return err
	}

	tx, err := db.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var entityID int64
	if err := tx.QueryRow(ctx, `SELECT id FROM entity WHERE code = $1`, opt.Entity).Scan(&entityID); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return res, fmt.Errorf("%w %q", ErrUnknownEntity, opt.Entity)
		}
		return res, err
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE payment_stage (line int NOT NULL, invoice_number text,
		client_code text, received_on date NOT NULL, amount bigint NOT NULL, reference text, currency text NOT NULL)
		ON COMMIT DROP`); err != nil {
		return res, err
	}
	n, err := copyRows(ctx, tx, "payment_stage", paymentStageColumns, produce, paymentValues)
	if err != nil {
		return res, err
	}
	res.Rows = n
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE payment_res ON COMMIT DROP AS
		SELECT s.*, i.id AS invoice_id, i.client_id AS invoice_client, c.id AS named_client,
		       COALESCE(i.client_id, c.id) AS client_id
		FROM payment_stage s
		LEFT JOIN invoice i ON i.entity_id = $1 AND i.number = s.invoice_number
		LEFT JOIN client c ON c.entity_id = $1 AND c.code = s.client_code`, entityID); err != nil {
		return res, err
	}
	rows, err := tx.Query(ctx, `
		SELECT line, CASE
			WHEN client_code IS NOT NULL AND named_client IS NULL THEN 'client_id|no client ' || quote_literal(client_code)
			WHEN invoice_client <> named_client THEN 'client_id|invoice ' || quote_literal(invoice_number) || ' belongs to another client'
			ELSE 'invoice_number|no invoice ' || quote_literal(invoice_number) || ' (give a client_id to record an unapplied payment)' END
		FROM payment_res
		WHERE client_id IS NULL OR (client_code IS NOT NULL AND named_client IS NULL) OR invoice_client <> named_client
		ORDER BY line LIMIT 1000`)
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var line int32
		var msg string
		if err := rows.Scan(&line, &msg); err != nil {
			return res, err
		}
		column, reason, _ := strings.Cut(msg, "|")
		errs.add(int(line), column, reason)
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	if err := errs.err(); err != nil {
		return res, err
	}

	var batch int64
	if err := tx.QueryRow(ctx, `INSERT INTO import_batch (entity_id, kind, file_name, checksum, format, as_of, rows)
		VALUES ($1, 'payments', $2, $3, $4, $5, $6) RETURNING id`,
		entityID, baseName(path), in.checksum(), in.format, opt.AsOf, n).Scan(&batch); err != nil {
		return res, fmt.Errorf("record import batch: %w", err)
	}
	steps := []struct{ what, sql string }{
		{"stage new payments", `CREATE TEMP TABLE payment_new (id bigint, invoice_number text, received_on date, amount bigint) ON COMMIT DROP`},
		{"record payments", `WITH ins AS (
			INSERT INTO payment (entity_id, client_id, reference, received_on, currency, amount, import_batch_id, invoice_number)
			SELECT $1, client_id, reference, received_on, currency, amount, $2, invoice_number FROM payment_res ORDER BY line
			ON CONFLICT DO NOTHING
			RETURNING id, invoice_number, received_on, amount)
			INSERT INTO payment_new SELECT * FROM ins`},
		// Allocate in date order: each payment takes what its invoice still
		// owes after the earlier ones, never more. What an invoice import
		// already counted as settled (its `paid` column, allocations with
		// source 'import', undated) is the same money a payments file dates:
		// the earliest payments first convert that undated settlement into
		// dated ones (converted) instead of settling the invoice twice.
		{"allocate payments", `CREATE TEMP TABLE payment_alloc ON COMMIT DROP AS
			SELECT invoice_id, payment_id, received_on, amount, import_on,
			       LEAST(amount, GREATEST(import_open - prev, 0)) AS converted
			FROM (
				SELECT i.id AS invoice_id, n.id AS payment_id, n.received_on,
				       COALESCE(imp.open, 0) AS import_open, imp.applied_on AS import_on,
				       COALESCE(sum(n.amount) OVER w, 0) AS prev,
				       LEAST(n.amount, GREATEST(i.outstanding + COALESCE(imp.open, 0) - COALESCE(sum(n.amount) OVER w, 0), 0)) AS amount
				FROM payment_new n
				JOIN invoice i ON i.entity_id = $1 AND i.number = n.invoice_number
				LEFT JOIN (SELECT invoice_id, sum(amount) AS open, max(applied_on) AS applied_on
				           FROM allocation WHERE source = 'import' GROUP BY invoice_id) imp ON imp.invoice_id = i.id
				WHERE i.kind = 'invoice'
				WINDOW w AS (PARTITION BY i.id ORDER BY n.received_on, n.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) a
			WHERE amount > 0`},
		{"record allocations", `INSERT INTO allocation (invoice_id, source, payment_id, import_batch_id, amount, applied_on)
			SELECT invoice_id, 'payment', payment_id, $2, amount, received_on FROM payment_alloc WHERE $1::bigint IS NOT NULL`},
		// The converted part leaves the undated settlement, dated like it so
		// that an aged balance as of any past day adds back both or neither.
		{"convert imported settlements", `INSERT INTO allocation (invoice_id, source, import_batch_id, amount, applied_on)
			SELECT invoice_id, 'import', $2, -sum(converted), max(import_on) FROM payment_alloc
			WHERE $1::bigint IS NOT NULL AND converted > 0 GROUP BY invoice_id`},
		{"update payments", `UPDATE payment p SET allocated = p.allocated + a.amount FROM payment_alloc a WHERE p.id = a.payment_id`},
		{"settle invoices", `UPDATE invoice i SET settled = i.settled + d.amount, updated_at = now(),
			closed_on = CASE WHEN i.amount_incl_vat = i.settled + d.amount THEN COALESCE(i.closed_on, d.last) END
			FROM (SELECT invoice_id, sum(amount - converted) AS amount, max(received_on) AS last FROM payment_alloc GROUP BY invoice_id) d
			WHERE i.id = d.invoice_id`},
	}
	for _, st := range steps {
		var args []any
		switch {
		case strings.Contains(st.sql, "$2"):
			args = []any{entityID, batch}
		case strings.Contains(st.sql, "$1"):
			args = []any{entityID}
		}
		if _, err := tx.Exec(ctx, st.sql, args...); err != nil {
			return res, fmt.Errorf("%s: %w", st.what, err)
		}
	}
	if err := tx.QueryRow(ctx, `SELECT count(*), COALESCE(sum(n.amount - COALESCE(a.amount, 0)), 0)
		FROM payment_new n LEFT JOIN payment_alloc a ON a.payment_id = n.id`).Scan(&res.Created, &res.Unallocated); err != nil {
		return res, err
	}
	if _, err := tx.Exec(ctx, `UPDATE import_batch SET created = $2 WHERE id = $1`, batch, res.Created); err != nil {
		return res, err
	}
	if opt.DryRun {
		return res, nil
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("commit: %w", err)
	}
	res.BatchID = batch
	return res, nil
}

func (p *rowParser) parsePayment(rec []string, line int, errs *errorList, row *paymentRow) bool {
	before := errs.total
	*row = paymentRow{line: line, currency: p.currency}
	if !p.fits(rec, line, errs) {
		return false
	}
	c := func(f field) string { return p.cell(rec, line, f) }
	bad := func(f field, format string, args ...any) { errs.add(line, f.String(), fmt.Sprintf(format, args...)) }
	if s := c(fieldNumber); s != "" {
		row.number = &s
	}
	if s := c(fieldClientID); s != "" {
		row.clientCode = &s
	}
	if row.number == nil && row.clientCode == nil {
		bad(fieldNumber, "missing invoice number (or client_id)")
	}
	var err error
	if s := c(fieldPaymentDate); s == "" {
		bad(fieldPaymentDate, "missing payment date")
	} else if row.date, err = p.date(s); err != nil {
		bad(fieldPaymentDate, "%v", err)
	}
	if s := c(fieldAmount); s == "" {
		bad(fieldAmount, "missing amount")
	} else if row.amount, err = p.amount(s); err != nil {
		bad(fieldAmount, "%v", err)
	} else if row.amount <= 0 {
		bad(fieldAmount, "a payment must be positive")
	}
	if s := c(fieldReference); s != "" {
		row.reference = &s
	}
	if s := c(fieldCurrency); s != "" {
		row.currency = strings.ToUpper(s)
		if len(s) != 3 {
			bad(fieldCurrency, "invalid currency %s", quote(s))
		}
	}
	return errs.total == before
}
