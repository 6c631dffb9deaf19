-- The document $2 of entity $1 an allocation takes from, locked, with what
-- it has left to give and what it already gave invoice $3.
SELECT cn.id, cn.client_id, cn.kind, cn.currency::text, -cn.outstanding,
       (SELECT COALESCE(sum(a.amount), 0) FROM allocation a WHERE a.credit_note_id = cn.id AND a.invoice_id = $3)
FROM invoice cn
WHERE cn.entity_id = $1 AND cn.number = $2
FOR UPDATE
