-- What a snapshot would close: the open items of entity $1 missing from the
-- batch, out of all its open items.
SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM invoice_stage s WHERE s.number = i.number)),
       count(*)
FROM invoice i
WHERE i.entity_id = $1 AND i.outstanding <> 0
