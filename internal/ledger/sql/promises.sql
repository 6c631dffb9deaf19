-- Promises of entity $1, newest first, of client $2 (NULL: any). The rows of
-- a client promise come as one, listing its invoices.
SELECT min(p.id), p.scope, c.code, p.client_id, array_agg(i.number ORDER BY i.due_date, i.number),
       p.promised_on, p.pay_by, p.until, coalesce(p.amount, 0), p.status, p.settled_on, p.created_by,
       coalesce(p.note, ''), min(i.currency::text)
FROM promise p
JOIN invoice i ON i.id = p.invoice_id
JOIN client c ON c.id = p.client_id
WHERE i.entity_id = $1 AND ($2::text IS NULL OR c.code = $2)
GROUP BY p.scope, c.code, p.client_id, p.created_at, CASE WHEN p.scope = 'invoice' THEN p.invoice_id END,
         p.promised_on, p.pay_by, p.until, p.amount, p.status, p.settled_on, p.created_by, p.note
ORDER BY p.promised_on DESC, min(p.id) DESC
