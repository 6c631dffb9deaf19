-- Records the allocations of payment_alloc as batch $1, each dated by its
-- payment; the converted part leaves the undated settlement, dated like it
-- so that an aged balance as of any past day adds back both or neither; and
-- each payment counts what it allocated.
WITH dated AS (
    INSERT INTO allocation (invoice_id, source, payment_id, import_batch_id, amount, applied_on)
    SELECT invoice_id, 'payment', payment_id, $1, amount, received_on FROM payment_alloc),
converted AS (
    INSERT INTO allocation (invoice_id, source, import_batch_id, amount, applied_on)
    SELECT invoice_id, 'import', $1, -sum(converted), max(import_on) FROM payment_alloc
    WHERE converted > 0 GROUP BY invoice_id)
UPDATE payment p SET allocated = p.allocated + a.amount FROM payment_alloc a WHERE p.id = a.payment_id
