-- What was recovered in the window [$2, $1], per currency, for entities $3
-- (NULL: every entity): the payments, imported settlements and snapshot
-- closures counting in it (ledger_allocation, migration 00020: dated with
-- the day each counts from) on invoices past their due date. Legal when a
-- case held the invoice that day (after the day it opened, through the day
-- it closed: what was paid on the opening day was deducted from the claim),
-- amicable otherwise.
SELECT t.currency::text,
       coalesce(sum(a.amount) FILTER (WHERE NOT x.legal), 0)::bigint,
       coalesce(sum(a.amount) FILTER (WHERE x.legal), 0)::bigint
FROM ledger_allocation($1) a
JOIN invoice t ON t.id = a.invoice_id
CROSS JOIN LATERAL (
    SELECT EXISTS (SELECT 1 FROM legal_case_invoice ci WHERE ci.invoice_id = t.id
                     AND ci.held_from < a.counted_on AND (ci.held_to IS NULL OR a.counted_on <= ci.held_to)) AS legal
) x
WHERE a.counted_on >= $2 AND a.source IN ('payment', 'import', 'snapshot_close')
  AND t.kind = 'invoice' AND a.counted_on > t.due_date AND ($3::bigint[] IS NULL OR t.entity_id = ANY ($3))
GROUP BY 1
