-- The invoice $2 of entity $1 an allocation settles, locked until the
-- allocation commits.
SELECT i.id, i.client_id, c.code, i.kind, i.currency::text, i.outstanding
FROM invoice i JOIN client c ON c.id = i.client_id
WHERE i.entity_id = $1 AND i.number = $2
FOR UPDATE OF i
