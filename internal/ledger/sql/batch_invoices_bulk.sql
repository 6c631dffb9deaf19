-- The bulk path's insert of the staged invoices into the emptied invoice
-- table ($1: the entity, $2: the batch, $3: the day a new invoice fully paid
-- is closed): the same rows batch_invoices_upsert.sql creates, without its
-- conflict handling (the table is empty and the batch has no repeats), and
-- in the same statement the `paid` allocations batch_paid_new.sql records
-- (every invoice is new here), sparing a join of the batch with the table.
-- Returns how many invoices it created.
--
-- Each row's id is taken from invoice's sequence before the insert, so that
-- a credit note carries the id of the invoice it applies to as it goes in:
-- with the table empty, that invoice can only be in the batch, and a join
-- of the batch's credit notes with the batch links them
-- (batch_credit_notes_link.sql, an update of every credit note after the
-- insert, read the unindexed table twice and wrote each credit note a
-- second time). The ids are reserved as one block, one per line from the
-- batch's first to its last (a staged row's line is its own: exact repeats
-- were dropped), by a setval past a nextval: a nextval per row cost more
-- than the insert, and no other writer takes ids of invoice while the bulk
-- path holds its lock. Ids are derived from the line rather than numbered
-- in a subquery so that the join of the credit notes is planned on the
-- staging table's statistics.
WITH ids AS MATERIALIZED (
    SELECT setval(pg_get_serial_sequence('invoice', 'id'),
                  nextval(pg_get_serial_sequence('invoice', 'id')) + max(line) - min(line))
               - (max(line) - min(line)) - min(line) AS base
    FROM invoice_stage),
link AS (
    SELECT cn.line, t.line AS target FROM invoice_stage cn JOIN invoice_stage t ON t.number = cn.applies_to
    WHERE cn.applies_to IS NOT NULL),
ins AS (
    INSERT INTO invoice (id, entity_id, client_id, number, kind, issue_date, due_date, payment_terms,
                         currency, amount_incl_vat, amount_excl_vat, import_batch_id, settled, closed_on, applies_to_id)
    OVERRIDING SYSTEM VALUE
    SELECT ids.base + s.line, $1, c.id, s.number, s.kind, s.issue_date, s.due_date, s.terms, s.currency, s.amount,
           s.amount_excl, $2, COALESCE(s.paid, 0), CASE WHEN s.paid = s.amount THEN $3::date END,
           ids.base + link.target
    FROM ids, invoice_stage s JOIN client c ON c.entity_id = $1 AND c.code = s.client_code
    LEFT JOIN link ON link.line = s.line
    RETURNING id, kind, settled),
paid AS (
    INSERT INTO allocation (invoice_id, source, import_batch_id, amount, applied_on)
    SELECT id, 'import', $2, settled, $3 FROM ins WHERE settled > 0 AND kind = 'invoice')
SELECT count(*) FROM ins
