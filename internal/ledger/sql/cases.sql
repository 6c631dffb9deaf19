-- Cases of entity $1, oldest first: case $2 only (NULL: any), of client $3
-- (NULL: any), open on day $4 (NULL: whatever their state).
SELECT lc.id, c.code, c.id, c.name, c.country, lc.procedure, lc.currency::text,
       coalesce(lc.reference, ''), coalesce(lc.handler, ''), lc.opened_on,
       lc.filed_on, lc.granted_on, lc.served_on, lc.enforceable_on, lc.closed_on, coalesce(lc.outcome, ''),
       lc.without_notice, lc.opened_by, coalesce(lc.closed_by, '')
FROM legal_case lc
JOIN client c ON c.id = lc.client_id
WHERE lc.entity_id = $1
  AND ($2::bigint IS NULL OR lc.id = $2)
  AND ($3::text IS NULL OR c.code = $3)
  AND ($4::date IS NULL OR (lc.opened_on <= $4 AND (lc.closed_on IS NULL OR lc.closed_on > $4)))
ORDER BY lc.opened_on, lc.id
