package importer

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The statements of an invoice import, in sql/.
var (
	//go:embed sql/stage.sql
	sqlStage string
	//go:embed sql/duplicates.sql
	sqlDuplicates string
	//go:embed sql/drop_repeats.sql
	sqlDropRepeats string
	//go:embed sql/unknown_targets.sql
	sqlUnknownTargets string
	//go:embed sql/snapshot_guard.sql
	sqlSnapshotGuard string
	//go:embed sql/collect_clients.sql
	sqlCollectClients string
	//go:embed sql/update_clients.sql
	sqlUpdateClients string
	//go:embed sql/insert_clients.sql
	sqlInsertClients string
)

// copyBatch is how many rows the parser hands to COPY at a time: enough to
// keep both sides busy, small enough to bound memory.
const copyBatch = 2048

// copyRows runs produce in its own goroutine and COPies what it emits into
// table, so that parsing and loading overlap. Memory is bounded by a few
// batches whatever the file's size.
func copyRows[R any](ctx context.Context, tx pgx.Tx, table string, columns []string,
	produce func(emit func(*R) bool) error, values func(*R, []any) []any) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan []R, 4)
	done := make(chan struct{})
	var prodErr error
	go func() {
		defer close(done)
		defer close(ch)
		batch := make([]R, 0, copyBatch)
		send := func() bool {
			select {
			case ch <- batch:
				batch = make([]R, 0, copyBatch)
				return true
			case <-ctx.Done():
				return false
			}
		}
		prodErr = produce(func(r *R) bool {
			batch = append(batch, *r)
			if len(batch) == copyBatch {
				return send()
			}
			return true
		})
		if len(batch) > 0 {
			send()
		}
	}()
	n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, &feed[R]{ch: ch, values: values})
	cancel()
	<-done
	if prodErr != nil {
		return int(n), prodErr
	}
	if err != nil {
		return int(n), fmt.Errorf("copy into %s: %w", table, err)
	}
	return int(n), nil
}

// feed is a pgx.CopyFromSource over batches from a channel.
type feed[R any] struct {
	ch     <-chan []R
	batch  []R
	i      int
	buf    []any
	values func(*R, []any) []any
}

func (f *feed[R]) Next() bool {
	f.i++
	for f.i >= len(f.batch) {
		b, ok := <-f.ch
		if !ok {
			return false
		}
		f.batch, f.i = b, 0
	}
	return true
}

func (f *feed[R]) Values() ([]any, error) {
	f.buf = f.values(&f.batch[f.i], f.buf)
	return f.buf, nil
}

func (f *feed[R]) Err() error { return nil }

// stageColumns are the columns of import_stage (sql/stage.sql) that COPY
// fills, in invoiceRow.values order.
var stageColumns = []string{"line", "number", "client_code", "client_name", "issue_date", "due_date", "terms",
	"amount", "amount_excl", "paid", "currency", "kind", "applies_to", "emails", "locale", "profile",
	"cc_emails", "segment", "country", "address_line1", "address_line2", "postcode", "city", "contact_name",
	"phone", "siren", "siret", "vat_number", "credit_limit"}

func invoiceValues(r *invoiceRow, buf []any) []any { return r.values(buf) }

// invoiceStore is one invoice import inside its transaction.
type invoiceStore struct {
	tx       pgx.Tx
	file     string
	asOf     time.Time
	entityID int64
	hasPaid  bool
}

func (s *invoiceStore) begin(ctx context.Context, opt Options) error {
	err := s.tx.QueryRow(ctx, `SELECT id FROM entity WHERE code = $1`, opt.Entity).Scan(&s.entityID)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w %q", ErrUnknownEntity, opt.Entity)
	}
	if err != nil {
		return err
	}
	if err := tuneSession(ctx, s.tx); err != nil {
		return err
	}
	_, err = s.tx.Exec(ctx, sqlStage)
	return err
}

// tuneSession gives this transaction the memory a large import needs: the
// staging table lives in temp_buffers (8MB by default, after which every page
// is written out) and the hash aggregates and joins over it in work_mem
// (4MB by default, after which they spill to disk). temp_buffers can only
// change before the session first touches a temporary table, hence the
// savepoint: on a reused session the default stays, which is only slower.
func tuneSession(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '256MB'`); err != nil {
		return err
	}
	sp, err := tx.Begin(ctx)
	if err != nil {
		return err
	}
	if _, err := sp.Exec(ctx, `SET LOCAL temp_buffers = '512MB'`); err != nil {
		return sp.Rollback(ctx)
	}
	return sp.Commit(ctx)
}

// check runs the checks that need the whole file, duplicate numbers and
// credit notes applied to unknown invoices, and adds what it finds to errs.
// badNumbers are the numbers of the rows already refused. Exact repeats are
// dropped from the staging table.
func (s *invoiceStore) check(ctx context.Context, errs *errorList, badNumbers []string) error {
	// Fresh statistics, or the planner guesses the size of a temp table.
	if _, err := s.tx.Exec(ctx, `ANALYZE import_stage`); err != nil {
		return err
	}
	rows, err := s.tx.Query(ctx, sqlDuplicates)
	if err != nil {
		return err
	}
	var repeats bool
	for rows.Next() {
		var number string
		var lines []int32
		var conflicting bool
		if err := rows.Scan(&number, &lines, &conflicting); err != nil {
			return err
		}
		repeats = true
		if conflicting {
			for _, l := range lines[1:] {
				errs.add(int(l), "invoice_number", fmt.Sprintf("duplicate invoice %s (first on line %d) with a different amount, client or kind", quote(number), lines[0]))
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if repeats {
		if _, err := s.tx.Exec(ctx, sqlDropRepeats); err != nil {
			return err
		}
	}
	if badNumbers == nil {
		badNumbers = []string{}
	}
	rows, err = s.tx.Query(ctx, sqlUnknownTargets, s.entityID, badNumbers)
	if err != nil {
		return err
	}
	for rows.Next() {
		var line int32
		var target string
		if err := rows.Scan(&line, &target); err != nil {
			return err
		}
		errs.add(int(line), "applies_to", fmt.Sprintf("invoice %s is neither in the file nor in the database", quote(target)))
	}
	return rows.Err()
}

// guardSnapshot refuses, unless opt.Force, a snapshot of no rows or one
// that would close more than opt.SnapshotMaxClose of the open items: a
// truncated export or the wrong file would otherwise settle what is still
// owed.
func (s *invoiceStore) guardSnapshot(ctx context.Context, opt Options, rows int) error {
	if opt.Force {
		return nil
	}
	e := &SnapshotError{File: s.file, Rows: rows, MaxShare: opt.SnapshotMaxClose}
	if e.MaxShare <= 0 {
		e.MaxShare = DefaultSnapshotMaxClose
	}
	if err := s.tx.QueryRow(ctx, sqlSnapshotGuard, s.entityID).Scan(&e.Closing, &e.Open); err != nil {
		return fmt.Errorf("count what the snapshot would close: %w", err)
	}
	if rows == 0 || float64(e.Closing) > e.MaxShare*float64(e.Open) {
		return e
	}
	return nil
}

// apply writes the staged rows: clients, invoices, `paid` settlements,
// credit-note allocations, snapshot closures, and the import_batch record.
func (s *invoiceStore) apply(ctx context.Context, opt Options, format, checksum string, nrows int, res *Result) error {
	tx, e, asOf := s.tx, s.entityID, s.asOf
	var batch int64
	if err := tx.QueryRow(ctx, `INSERT INTO import_batch (entity_id, kind, file_name, checksum, format, snapshot, as_of, rows)
		VALUES ($1, 'invoices', $2, $3, $4, $5, $6, $7) RETURNING id`,
		e, baseName(s.file), checksum, format, opt.Snapshot, asOf, nrows).Scan(&batch); err != nil {
		return fmt.Errorf("record import batch: %w", err)
	}
	if _, err := tx.Exec(ctx, sqlCollectClients); err != nil {
		return fmt.Errorf("collect clients: %w", err)
	}
	for _, st := range []struct{ what, sql string }{
		{"update clients", sqlUpdateClients},
		{"create clients", sqlInsertClients},
	} {
		if _, err := tx.Exec(ctx, st.sql, e); err != nil {
			return fmt.Errorf("%s: %w", st.what, err)
		}
	}

	// Invoices: upsert by (entity, number); IS DISTINCT FROM makes a
	// re-import of the same file update nothing.
	if err := tx.QueryRow(ctx, `
		WITH up AS (
			INSERT INTO invoice AS i (entity_id, client_id, number, kind, issue_date, due_date, payment_terms,
			                          currency, amount_incl_vat, amount_excl_vat, import_batch_id, settled, closed_on)
			SELECT $1, c.id, s.number, s.kind, s.issue_date, s.due_date, s.terms, s.currency, s.amount, s.amount_excl, $2,
			       COALESCE(s.paid, 0), CASE WHEN s.paid = s.amount THEN $3::date END
			FROM import_stage s JOIN client c ON c.entity_id = $1 AND c.code = s.client_code
			ON CONFLICT (entity_id, number) DO UPDATE SET
				client_id = EXCLUDED.client_id, kind = EXCLUDED.kind, issue_date = EXCLUDED.issue_date,
				due_date = EXCLUDED.due_date, payment_terms = COALESCE(EXCLUDED.payment_terms, i.payment_terms),
				currency = EXCLUDED.currency, amount_incl_vat = EXCLUDED.amount_incl_vat,
				amount_excl_vat = COALESCE(EXCLUDED.amount_excl_vat, i.amount_excl_vat),
				import_batch_id = EXCLUDED.import_batch_id, updated_at = now()
			WHERE (i.client_id, i.kind, i.issue_date, i.due_date, i.payment_terms, i.currency, i.amount_incl_vat, i.amount_excl_vat)
			      IS DISTINCT FROM
			      (EXCLUDED.client_id, EXCLUDED.kind, EXCLUDED.issue_date, EXCLUDED.due_date,
			       COALESCE(EXCLUDED.payment_terms, i.payment_terms), EXCLUDED.currency, EXCLUDED.amount_incl_vat,
			       COALESCE(EXCLUDED.amount_excl_vat, i.amount_excl_vat))
			RETURNING (xmax = 0) AS created)
		SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up`,
		e, batch, asOf).Scan(&res.Created, &res.Updated); err != nil {
		return fmt.Errorf("upsert invoices: %w", err)
	}

	// An invoice that a snapshot closed but that a later file lists again
	// is open after all: its closure is reversed.
	if err := s.settle(ctx, batch, `
		SELECT i.id, NULL::bigint, -sum(a.amount)
		FROM import_stage s
		JOIN invoice i ON i.entity_id = $1 AND i.number = s.number
		JOIN allocation a ON a.invoice_id = i.id AND a.source = 'snapshot_close'
		GROUP BY i.id HAVING sum(a.amount) <> 0`, "snapshot_close"); err != nil {
		return fmt.Errorf("reopen invoices listed again: %w", err)
	}

	if s.hasPaid {
		// `paid` is what the source says is settled in cash. A new invoice
		// was inserted with settled = paid (sparing a million updates); its
		// allocation is recorded here. For an invoice relance already had,
		// payments imported into relance count towards paid and are never
		// reversed; the rest is an 'import' allocation, of which only the
		// difference with earlier imports is recorded, so a re-import records
		// nothing. created_at = now() (the transaction's start) tells the
		// invoices this transaction created.
		if _, err := tx.Exec(ctx, `
			INSERT INTO allocation (invoice_id, source, import_batch_id, amount, applied_on)
			SELECT i.id, 'import', $2, s.paid, $3
			FROM import_stage s JOIN invoice i ON i.entity_id = $1 AND i.number = s.number
			WHERE s.paid > 0 AND s.kind = 'invoice' AND i.created_at = now()`, e, batch, asOf); err != nil {
			return fmt.Errorf("record paid amounts: %w", err)
		}
		if err := s.settle(ctx, batch, `
			SELECT invoice_id, NULL::bigint, amount FROM (
				SELECT i.id AS invoice_id,
				       GREATEST(s.paid - COALESCE(a.paid, 0), 0) - COALESCE(a.imported, 0) AS amount
				FROM import_stage s
				JOIN invoice i ON i.entity_id = $1 AND i.number = s.number AND i.created_at <> now()
				LEFT JOIN (SELECT invoice_id,
				                  sum(amount) FILTER (WHERE source = 'import') AS imported,
				                  sum(amount) FILTER (WHERE source = 'payment') AS paid
				           FROM allocation WHERE source IN ('import', 'payment') GROUP BY invoice_id) a
				       ON a.invoice_id = i.id
				WHERE s.paid IS NOT NULL AND s.kind = 'invoice') d
			WHERE amount <> 0`, "import"); err != nil {
			return fmt.Errorf("record paid amounts: %w", err)
		}
	}

	var hasCreditNotes bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM import_stage WHERE applies_to IS NOT NULL)`).Scan(&hasCreditNotes); err != nil {
		return err
	}
	if hasCreditNotes {
		if _, err := tx.Exec(ctx, `
			UPDATE invoice cn SET applies_to_id = t.id
			FROM import_stage s JOIN invoice t ON t.entity_id = $1 AND t.number = s.applies_to
			WHERE cn.entity_id = $1 AND cn.number = s.number AND cn.applies_to_id IS DISTINCT FROM t.id`, e); err != nil {
			return fmt.Errorf("link credit notes: %w", err)
		}
		// A credit note reduces its invoice by what it has left, capped at
		// what the invoice still owes (several credit notes in file order);
		// the rest stays on the credit note as an unapplied credit.
		if err := s.settle(ctx, batch, `
			WITH c AS (
				SELECT t.id AS invoice_id, cn.id AS credit_note_id, t.outstanding,
				       -cn.amount_incl_vat - COALESCE(a.amount, 0) AS available, s.line
				FROM import_stage s
				JOIN invoice cn ON cn.entity_id = $1 AND cn.number = s.number
				JOIN invoice t ON t.entity_id = $1 AND t.number = s.applies_to
				LEFT JOIN (SELECT credit_note_id, sum(amount) AS amount FROM allocation
				           WHERE credit_note_id IS NOT NULL GROUP BY credit_note_id) a ON a.credit_note_id = cn.id
				WHERE s.kind = 'credit_note' AND s.applies_to IS NOT NULL),
			w AS (
				SELECT *, COALESCE(sum(available) OVER (PARTITION BY invoice_id ORDER BY line
				          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
				FROM c WHERE available > 0)
			SELECT invoice_id, credit_note_id, LEAST(available, GREATEST(outstanding - before, 0)) AS amount
			FROM w WHERE LEAST(available, GREATEST(outstanding - before, 0)) > 0`, "credit_note"); err != nil {
			return fmt.Errorf("apply credit notes: %w", err)
		}
	}

	if opt.Snapshot {
		if err := tx.QueryRow(ctx, `
			WITH gone AS (
				SELECT i.id, i.outstanding FROM invoice i
				WHERE i.entity_id = $1 AND i.outstanding <> 0
				  AND NOT EXISTS (SELECT 1 FROM import_stage s WHERE s.number = i.number)),
			ins AS (
				INSERT INTO allocation (invoice_id, source, import_batch_id, amount, applied_on)
				SELECT id, 'snapshot_close', $2, outstanding, $3 FROM gone
				RETURNING invoice_id, amount),
			upd AS (
				UPDATE invoice i SET settled = i.settled + ins.amount, closed_on = $3, updated_at = now()
				FROM ins WHERE i.id = ins.invoice_id RETURNING 1)
			SELECT count(*) FROM upd`, e, batch, asOf).Scan(&res.Closed); err != nil {
			return fmt.Errorf("close invoices missing from the snapshot: %w", err)
		}
	}

	if _, err := tx.Exec(ctx, `UPDATE import_batch SET created = $2, updated = $3, closed = $4 WHERE id = $1`,
		batch, res.Created, res.Updated, res.Closed); err != nil {
		return err
	}
	if !opt.DryRun {
		res.BatchID = batch
	}
	return nil
}

// settle records the allocations selected by query (columns invoice_id,
// credit_note_id, amount; $1 is the entity) with the given source, dated the
// import date, and keeps invoice.settled = the sum of its allocations (for a
// credit note, minus what was allocated from it) and closed_on in step.
func (s *invoiceStore) settle(ctx context.Context, batch int64, query, source string) error {
	if _, err := s.tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS import_alloc
		(invoice_id bigint, credit_note_id bigint, amount bigint) ON COMMIT DROP`); err != nil {
		return err
	}
	if _, err := s.tx.Exec(ctx, `TRUNCATE import_alloc`); err != nil {
		return err
	}
	if _, err := s.tx.Exec(ctx, `INSERT INTO import_alloc `+query, s.entityID); err != nil {
		return err
	}
	_, err := s.tx.Exec(ctx, `
		WITH ins AS (
			INSERT INTO allocation (invoice_id, source, credit_note_id, import_batch_id, amount, applied_on)
			SELECT invoice_id, $1, credit_note_id, $2, amount, $3 FROM import_alloc
			RETURNING invoice_id, credit_note_id, amount),
		delta AS (
			SELECT id, sum(amount) AS amount FROM (
				SELECT invoice_id AS id, amount FROM ins
				UNION ALL
				SELECT credit_note_id, -amount FROM ins WHERE credit_note_id IS NOT NULL) d
			GROUP BY id)
		UPDATE invoice i SET settled = i.settled + d.amount, updated_at = now(),
			closed_on = CASE WHEN i.amount_incl_vat = i.settled + d.amount THEN COALESCE(i.closed_on, $3) END
		FROM delta d WHERE i.id = d.id`, source, batch, s.asOf)
	return err
}
