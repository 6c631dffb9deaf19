-- The settlements of the invoices $1 that count on $2, dated with the day
-- each counts from: the late penalties run on what remained due.
SELECT a.invoice_id, a.counted_on, a.amount
FROM ledger_allocation($2) a
WHERE a.invoice_id = ANY ($1)
ORDER BY a.invoice_id, a.counted_on, a.id
