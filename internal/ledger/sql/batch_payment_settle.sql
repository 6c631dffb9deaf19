-- Keeps invoice.settled and closed_on in step with the allocations of
-- payment_alloc: an invoice paid in full closes on the day of its last
-- payment.
UPDATE invoice i SET settled = i.settled + d.amount, updated_at = now(),
    closed_on = CASE WHEN i.amount_incl_vat = i.settled + d.amount THEN COALESCE(i.closed_on, d.last) END
FROM (SELECT invoice_id, sum(amount - converted) AS amount, max(received_on) AS last FROM payment_alloc GROUP BY invoice_id) d
WHERE i.id = d.invoice_id
