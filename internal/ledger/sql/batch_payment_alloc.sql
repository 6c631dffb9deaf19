-- Allocates the new payments in date order ($1: the entity): each takes what
-- its invoice still owes after the earlier ones, never more. What an invoice
-- batch already counted as settled (its `paid`, allocations with source
-- 'import', undated) is the same money a payments batch dates: the earliest
-- payments first convert that undated settlement into dated ones
-- (converted) instead of settling the invoice twice.
CREATE TEMP TABLE payment_alloc ON COMMIT DROP AS
SELECT invoice_id, payment_id, received_on, amount, import_on,
       LEAST(amount, GREATEST(import_open - prev, 0)) AS converted
FROM (
    SELECT i.id AS invoice_id, n.id AS payment_id, n.received_on,
           COALESCE(imp.open, 0) AS import_open, imp.applied_on AS import_on,
           COALESCE(sum(n.amount) OVER w, 0) AS prev,
           LEAST(n.amount, GREATEST(i.outstanding + COALESCE(imp.open, 0) - COALESCE(sum(n.amount) OVER w, 0), 0)) AS amount
    FROM payment_new n
    JOIN invoice i ON i.entity_id = $1 AND i.number = n.invoice_number
    LEFT JOIN (SELECT invoice_id, sum(amount) AS open, max(applied_on) AS applied_on
               FROM allocation WHERE source = 'import' GROUP BY invoice_id) imp ON imp.invoice_id = i.id
    WHERE i.kind = 'invoice'
    WINDOW w AS (PARTITION BY i.id ORDER BY n.received_on, n.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) a
WHERE amount > 0
