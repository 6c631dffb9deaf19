-- A snapshot lists every open item of entity $1: the open invoices missing
-- from it are closed as settled on day $3, as batch $2. Returns how many.
-- When the reader left unchanged rows out of the batch, $4 are the ids of
-- the open items it read and left no row out for (InvoiceBatch.Unchanged),
-- looked up by id; $4 is NULL otherwise.
WITH gone AS (
    SELECT i.id, i.outstanding FROM invoice i
    WHERE $4::bigint[] IS NULL AND i.entity_id = $1 AND i.outstanding <> 0
      AND NOT EXISTS (SELECT 1 FROM invoice_stage s WHERE s.number = i.number)
    UNION ALL
    SELECT i.id, i.outstanding FROM invoice i
    WHERE $4::bigint[] IS NOT NULL AND i.id = ANY ($4::bigint[]) AND i.entity_id = $1 AND i.outstanding <> 0
      AND NOT EXISTS (SELECT 1 FROM invoice_stage s WHERE s.number = i.number)),
ins AS (
    INSERT INTO allocation (invoice_id, source, import_batch_id, amount, applied_on)
    SELECT id, 'snapshot_close', $2, outstanding, $3 FROM gone
    RETURNING invoice_id, amount),
upd AS (
    UPDATE invoice i SET settled = i.settled + ins.amount, closed_on = $3, updated_at = now()
    FROM ins WHERE i.id = ins.invoice_id RETURNING 1)
SELECT count(*) FROM upd
