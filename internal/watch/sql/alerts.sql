-- The alerts raised since $1 (an instant; NULL: all), of the kinds $2 (NULL:
-- every kind), about entity $3 (NULL: every entity; alerts about no entity
-- — a missed sweep, a failed job, a paused queue — concern every one), with
-- an id above $4, oldest first.
SELECT e.id, e.at, e.kind, coalesce(e.day, e.at::date), coalesce(e.detail ->> 'entity', ''),
       coalesce(c.code, ''), coalesce(c.name, ''), coalesce(e.reason, ''), e.actor, e.detail
FROM event e
LEFT JOIN client c ON c.id = e.client_id
WHERE e.kind LIKE 'alert\_%'
  AND e.id > $4
  AND ($1::timestamptz IS NULL OR e.at >= $1)
  AND ($2::text[] IS NULL OR e.kind = ANY ($2))
  AND ($3::text IS NULL OR coalesce(e.detail ->> 'entity', $3) = $3)
ORDER BY e.id
