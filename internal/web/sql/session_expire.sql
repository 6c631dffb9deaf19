-- Deletes sessions ended, or last seen, before $1: none of them can be used
-- again, and the table stays the size of the sessions in use.
DELETE FROM web_session WHERE last_seen < $1 OR ended_at < $1
