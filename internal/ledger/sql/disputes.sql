-- Disputes of entity $1, oldest first: those holding their invoice on day $2
-- ($2 NULL: every one), of client $3 (NULL: any), on invoice $4 (NULL: any).
SELECT d.id, i.number, i.id, c.code, c.id, d.reason, coalesce(d.note, ''), d.opened_on, d.until, d.resolved_on,
       coalesce(d.outcome, ''), d.opened_by, coalesce(d.resolved_by, ''), i.outstanding, i.currency::text
FROM dispute d
JOIN invoice i ON i.id = d.invoice_id
JOIN client c ON c.id = i.client_id
-- Joined, not `OR d.id IN (SELECT …)`: under an OR the disputes holding on
-- $2 are a subplan, hashed only while PostgreSQL thinks they fit in
-- work_mem, and past that rescanned for each dispute. One row per dispute.
LEFT JOIN ledger_open_dispute($2) o ON o.dispute_id = d.id
WHERE i.entity_id = $1
  AND ($2::date IS NULL OR o.dispute_id IS NOT NULL)
  AND ($3::text IS NULL OR c.code = $3)
  AND ($4::text IS NULL OR i.number = $4)
ORDER BY d.opened_on, i.number, d.id
