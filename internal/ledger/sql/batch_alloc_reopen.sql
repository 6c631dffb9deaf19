-- An invoice that a snapshot closed but that a later batch lists again is
-- open after all: its closure is reversed ($1: the entity).
INSERT INTO batch_alloc (invoice_id, credit_note_id, amount)
SELECT i.id, NULL::bigint, -sum(a.amount)
FROM invoice_stage s
JOIN invoice i ON i.entity_id = $1 AND i.number = s.number
JOIN allocation a ON a.invoice_id = i.id AND a.source = 'snapshot_close'
GROUP BY i.id HAVING sum(a.amount) <> 0
