-- Every pause and exclusion of client $1, oldest first.
SELECT pa.id, pa.kind, pa.from_on, pa.until, pa.resumed_on, pa.reason, pa.created_by, coalesce(pa.resumed_by, '')
FROM pause pa WHERE pa.client_id = $1
ORDER BY pa.from_on, pa.id
