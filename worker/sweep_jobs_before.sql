-- The highest River job id before the sweep enqueues: its own jobs come
-- after it (the id sequence only grows).
SELECT coalesce(max(id), 0) FROM river_job
