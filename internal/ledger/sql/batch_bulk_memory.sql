-- The memory of the index builds of the bulk path's rebuild, for this
-- transaction: a sort of a million keys in the default 64MB of
-- maintenance_work_mem spills to disk, and CREATE INDEX reads its setting
-- as it starts. Raised to 512MB, never lowered when the server gives more.
SELECT set_config('maintenance_work_mem', '512MB', true)
WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes('512MB')
