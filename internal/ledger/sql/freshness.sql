-- The as-of of the newest data of each kind (invoices, payments) of every
-- entity ($1 NULL) or of the entity coded $1, with the batch that brought
-- it; an entity that never received a kind has no row for it.
SELECT e.code, f.kind, f.as_of, coalesce(f.batch_id, 0), coalesce(b.file_name, '')
FROM data_freshness f
JOIN entity e ON e.id = f.entity_id
LEFT JOIN import_batch b ON b.id = f.batch_id
WHERE $1::text IS NULL OR e.code = $1
ORDER BY e.code, f.kind
