-- How many payments the batch recorded, and how much of them stayed
-- unallocated (unapplied credits).
SELECT count(*), COALESCE(sum(n.amount - COALESCE(a.amount, 0)), 0)
FROM payment_new n LEFT JOIN payment_alloc a ON a.payment_id = n.id
