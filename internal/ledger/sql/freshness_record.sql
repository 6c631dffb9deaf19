-- Records that entity $1 has data of each kind in $2 (invoices, payments)
-- as of $3, brought by batch $4 (import_batch.data_as_of, already
-- defaulted). Older data than the entity already has moves nothing back: a
-- late re-import of last week's file does not make the ledger look stale,
-- nor fresh.
INSERT INTO data_freshness AS f (entity_id, kind, as_of, batch_id)
SELECT $1, k, b.data_as_of, b.id
FROM unnest($2::text[]) AS k, import_batch b
WHERE b.id = $3
ON CONFLICT (entity_id, kind) DO UPDATE
SET as_of = excluded.as_of, batch_id = excluded.batch_id, recorded_at = now()
WHERE f.as_of <= excluded.as_of
