-- Locks invoice $2 of entity $1 until the caller's transaction ends and
-- returns its version (xmin, as invoices.sql reads it).
SELECT xmin::text::bigint FROM invoice WHERE entity_id = $1 AND number = $2 FOR UPDATE
