-- The bulk path's insert of the staged invoices into the emptied invoice
-- table ($1: the entity, $2: the batch, $3: the day a new invoice fully paid
-- is closed): the same rows batch_invoices_upsert.sql creates, without its
-- conflict handling (the table is empty and the batch has no repeats), and
-- in the same statement the `paid` allocations batch_paid_new.sql records
-- (every invoice is new here), sparing a join of the batch with the table.
-- Returns how many invoices it created.
WITH ins AS (
    INSERT INTO invoice (entity_id, client_id, number, kind, issue_date, due_date, payment_terms,
                         currency, amount_incl_vat, amount_excl_vat, import_batch_id, settled, closed_on)
    SELECT $1, c.id, s.number, s.kind, s.issue_date, s.due_date, s.terms, s.currency, s.amount, s.amount_excl, $2,
           COALESCE(s.paid, 0), CASE WHEN s.paid = s.amount THEN $3::date END
    FROM invoice_stage s JOIN client c ON c.entity_id = $1 AND c.code = s.client_code
    RETURNING id, kind, settled),
paid AS (
    INSERT INTO allocation (invoice_id, source, import_batch_id, amount, applied_on)
    SELECT id, 'import', $2, settled, $3 FROM ins WHERE settled > 0 AND kind = 'invoice')
SELECT count(*) FROM ins
