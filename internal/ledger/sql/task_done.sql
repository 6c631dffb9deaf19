-- Closes task $2 of entity $1 on day $3 by $4, adding note $5 to its own;
-- returns the task as tasks.sql does, and whether this closed it (when it
-- was already done, its done_on and done_by are the earlier ones).
WITH target AS (
    SELECT t.id FROM task t JOIN client c ON c.id = t.client_id
    WHERE c.entity_id = $1 AND t.id = $2
    FOR UPDATE OF t
), done AS (
    UPDATE task t SET done_at = now(), done_on = $3, done_by = $4,
                      note = CASE WHEN $5 = '' THEN t.note ELSE concat_ws(E'\n', t.note, $5) END
    FROM target x WHERE t.id = x.id AND t.done_at IS NULL
    RETURNING t.id, t.note, t.done_on, t.done_by
)
SELECT t.id, t.kind, c.code, c.name, coalesce(i.number, ''), t.due_on, coalesce(d.note, t.note, ''),
       coalesce(d.done_on, t.done_on), coalesce(d.done_by, t.done_by, ''), coalesce(c.insolvency_kind, ''),
       c.insolvency_opened_on, c.insolvency_published_on, t.client_id, t.invoice_id, d.id IS NOT NULL
FROM target x
JOIN task t ON t.id = x.id
JOIN client c ON c.id = t.client_id
LEFT JOIN invoice i ON i.id = t.invoice_id
LEFT JOIN done d ON d.id = t.id
