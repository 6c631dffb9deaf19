-- A credit note reduces its invoice by what it has left, capped at what the
-- invoice still owes (several credit notes in batch order); the rest stays
-- on the credit note as an unapplied credit ($1: the entity).
INSERT INTO batch_alloc (invoice_id, credit_note_id, amount)
WITH c AS (
    SELECT t.id AS invoice_id, cn.id AS credit_note_id, t.outstanding,
           -cn.amount_incl_vat - COALESCE(a.amount, 0) AS available, s.line
    FROM invoice_stage s
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
FROM w WHERE LEAST(available, GREATEST(outstanding - before, 0)) > 0
