-- The due dates of the invoices $1 of entity $2: the first-contact delay
-- runs from them.
SELECT i.id, i.due_date
FROM invoice i JOIN entity e ON e.id = i.entity_id
WHERE i.id = ANY ($1) AND e.code = $2
