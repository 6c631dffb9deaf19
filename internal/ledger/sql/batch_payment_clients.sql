-- The clients of entity $1 a payment batch paid (payment_res, from
-- batch_payment_resolve.sql): those whose credit usage fell.
SELECT coalesce(array_agg(DISTINCT c.id), '{}')
FROM payment_res r JOIN client c ON c.id = r.client_id AND c.entity_id = $1
