-- The snapshot the preview reads every day on (its transaction is
-- repeatable read, and this is its first statement), the database's time,
-- and whether the entity $1 exists. Changed compares later commits with the
-- snapshot (preview_change, migration 00280).
SELECT pg_current_snapshot()::text, now(), EXISTS (SELECT 1 FROM entity WHERE code = $1)
