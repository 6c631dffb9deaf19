-- Allocates $4 to invoice $1 from payment $2 or credit note $3 on day $5:
-- the allocation row, what the payment has allocated, and both documents'
-- settled and closed_on kept in step as batch_settle.sql keeps them.
WITH ins AS (
    INSERT INTO allocation (invoice_id, source, payment_id, credit_note_id, amount, applied_on)
    VALUES ($1, CASE WHEN $2::bigint IS NULL THEN 'credit_note' ELSE 'payment' END, $2, $3, $4, $5)
    RETURNING id),
paid AS (
    UPDATE payment SET allocated = allocated + $4 WHERE id = $2),
credited AS (
    UPDATE invoice SET settled = settled - $4, updated_at = now(),
        closed_on = CASE WHEN amount_incl_vat = settled - $4 THEN COALESCE(closed_on, $5) END
    WHERE id = $3)
UPDATE invoice SET settled = settled + $4, updated_at = now(),
    closed_on = CASE WHEN amount_incl_vat = settled + $4 THEN COALESCE(closed_on, $5) END
WHERE id = $1
RETURNING (SELECT id FROM ins)
