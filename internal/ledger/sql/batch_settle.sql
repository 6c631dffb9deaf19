-- Records the allocations waiting in batch_alloc with source $1, as batch
-- $2 dated day $3, and empties it; keeps invoice.settled = the sum of its
-- allocations (for a credit note, minus what was allocated from it) and
-- closed_on in step.
WITH moved AS (
    DELETE FROM batch_alloc RETURNING invoice_id, credit_note_id, amount),
ins AS (
    INSERT INTO allocation (invoice_id, source, credit_note_id, import_batch_id, amount, applied_on)
    SELECT invoice_id, $1, credit_note_id, $2, amount, $3 FROM moved
    RETURNING invoice_id, credit_note_id, amount),
delta AS (
    SELECT id, sum(amount) AS amount FROM (
        SELECT invoice_id AS id, amount FROM ins
        UNION ALL
        SELECT credit_note_id, -amount FROM ins WHERE credit_note_id IS NOT NULL) d
    GROUP BY id)
UPDATE invoice i SET settled = i.settled + d.amount, updated_at = now(),
    closed_on = CASE WHEN i.amount_incl_vat = i.settled + d.amount THEN COALESCE(i.closed_on, $3) END
FROM delta d WHERE i.id = d.id
