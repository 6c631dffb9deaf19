-- `paid` of an invoice the ledger already had ($1: the entity): payments
-- recorded in relance count towards it and are never reversed; the rest is
-- an 'import' allocation, of which only the difference with earlier batches
-- is recorded, so that the same batch again records nothing.
INSERT INTO batch_alloc (invoice_id, credit_note_id, amount)
SELECT invoice_id, NULL::bigint, amount FROM (
    SELECT i.id AS invoice_id,
           GREATEST(s.paid - COALESCE(a.paid, 0), 0) - COALESCE(a.imported, 0) AS amount
    FROM invoice_stage s
    JOIN invoice i ON i.entity_id = $1 AND i.number = s.number AND i.created_at <> now()
    LEFT JOIN (SELECT invoice_id,
                      sum(amount) FILTER (WHERE source = 'import') AS imported,
                      sum(amount) FILTER (WHERE source = 'payment') AS paid
               FROM allocation WHERE source IN ('import', 'payment') GROUP BY invoice_id) a
           ON a.invoice_id = i.id
    WHERE s.paid IS NOT NULL AND s.kind = 'invoice') d
WHERE amount <> 0
