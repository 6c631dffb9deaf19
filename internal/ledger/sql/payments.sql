-- Payments of client $2 in entity $1, newest first.
SELECT p.id, c.code, coalesce(p.reference, ''), p.received_on, p.currency::text, p.amount, p.unallocated,
       coalesce(p.invoice_number, '')
FROM payment p
JOIN client c ON c.id = p.client_id
WHERE p.entity_id = $1 AND c.code = $2
ORDER BY p.received_on DESC, p.id DESC
