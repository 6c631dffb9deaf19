-- The entities that have clients, with what their digest needs: its name,
-- its locale, and where the previous digest stopped (the day it was for and
-- the last alert it listed; NULL for a first digest).
SELECT e.id, e.code, e.name, e.locale, d.day, coalesce((d.detail ->> 'last_alert')::bigint, 0)
FROM entity e
LEFT JOIN LATERAL (SELECT x.day, x.detail FROM event x
                   WHERE x.kind = 'digest_sent' AND x.detail ->> 'entity' = e.code
                   ORDER BY x.id DESC LIMIT 1) d ON true
WHERE EXISTS (SELECT 1 FROM client c WHERE c.entity_id = e.id)
ORDER BY e.code
