-- The payments of client $1 that carry reference $2 (on day $3 when it is
-- not NULL), locked, with what each already allocated to invoice $4.
SELECT p.id, p.received_on, p.currency::text, p.unallocated,
       (SELECT COALESCE(sum(a.amount), 0) FROM allocation a WHERE a.payment_id = p.id AND a.invoice_id = $4)
FROM payment p
WHERE p.client_id = $1 AND p.reference = $2 AND ($3::date IS NULL OR p.received_on = $3)
ORDER BY p.received_on, p.id
FOR UPDATE OF p
