-- The formal notices of invoices $1 that went out before day $2: the first
-- and the last day a registered letter listing one of them was sent (NULL,
-- NULL when none was).
SELECT min(r.due_on), max(r.due_on)
FROM reminder r
WHERE r.invoice_id = ANY ($1) AND r.channel = 'registered_letter' AND r.status = 'sent' AND r.due_on < $2
