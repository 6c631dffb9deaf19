-- The clients (every entity) whose insolvency proceeding was published by
-- $1 and whose claim declaration is not done: each with its country,
-- proceeding and current task, if any.
SELECT c.id, c.country, coalesce(c.insolvency_kind, ''), c.insolvency_opened_on, c.insolvency_published_on, t.due_on
FROM client c
LEFT JOIN task t ON t.client_id = c.id AND t.invoice_id IS NULL AND t.kind = 'claim_declaration'
WHERE c.insolvency_published_on <= $1 AND t.done_at IS NULL
