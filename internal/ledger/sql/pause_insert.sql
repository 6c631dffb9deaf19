-- A pause (or exclusion, $2) of client $1 from day $3 to $4 (inclusive; NULL
-- open-ended), unless one of that kind already covers $3: then nothing is
-- inserted and the covering one comes back instead, for the error message.
-- $5 reason, $6 actor.
WITH covering AS (
    SELECT pa.id, pa.from_on, pa.until, pa.reason FROM pause pa
    WHERE pa.client_id = $1 AND pa.kind = $2 AND pa.from_on <= coalesce($4, 'infinity'::date)
      AND (pa.until IS NULL OR pa.until >= $3) AND (pa.resumed_on IS NULL OR pa.resumed_on > $3)
    ORDER BY pa.from_on LIMIT 1
), inserted AS (
    INSERT INTO pause (client_id, kind, from_on, until, reason, created_by)
    SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM covering)
    RETURNING id, from_on, until, reason
)
SELECT id, from_on, until, reason, true FROM inserted
UNION ALL
SELECT id, from_on, until, reason, false FROM covering
