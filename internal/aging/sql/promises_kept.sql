-- Promises to pay of entities $3 (NULL: every entity) found kept or broken in
-- the window [$2, $1]. A promise made for a whole client is one promise
-- (its rows, one per invoice, share the client and created_at); cancelled
-- ones are left out.
SELECT count(*) FILTER (WHERE status = 'kept'), count(*) FILTER (WHERE status = 'broken')
FROM (
    SELECT DISTINCT p.status, p.client_id, p.created_at, CASE WHEN p.scope = 'invoice' THEN p.id END AS id
    FROM promise p
    JOIN client c ON c.id = p.client_id
    WHERE p.status IN ('kept', 'broken') AND p.settled_on BETWEEN $2 AND $1
      AND ($3::bigint[] IS NULL OR c.entity_id = ANY ($3))
) x
