-- The tasks of entity $1, by due date: due on or before $2 (NULL: any),
-- of kind $3 ('' any), done ones too when $4; with the client's
-- insolvency proceeding, which a claim declaration is about.
SELECT t.id, t.kind, c.code, c.name, coalesce(i.number, ''), t.due_on, coalesce(t.note, ''), t.done_on,
       coalesce(t.done_by, ''), coalesce(c.insolvency_kind, ''), c.insolvency_opened_on, c.insolvency_published_on
FROM task t
JOIN client c ON c.id = t.client_id
LEFT JOIN invoice i ON i.id = t.invoice_id
WHERE c.entity_id = $1 AND ($2::date IS NULL OR t.due_on <= $2) AND ($3 = '' OR t.kind = $3) AND ($4 OR t.done_at IS NULL)
ORDER BY t.due_on, c.code, t.id
