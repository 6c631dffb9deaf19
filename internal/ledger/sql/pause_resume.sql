-- Ends, on day $3 (exclusive), every pause of kind $2 of client $1 that is
-- in force on $3 or starts later; one that would start later is ended
-- before it begins (resumed_on = from_on). $4 is who resumes.
UPDATE pause pa SET resumed_on = greatest($3, pa.from_on), resumed_by = $4
WHERE pa.client_id = $1 AND pa.kind = $2 AND pa.resumed_on IS NULL
  AND (pa.until IS NULL OR pa.until >= $3)
RETURNING pa.id, pa.from_on, pa.until, pa.reason
