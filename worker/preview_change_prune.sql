-- Keeps preview_change (migration 00280) small: a transaction found over
-- (below the oldest transaction still running) is stamped, and its row
-- deleted $1 later. A kept forecast lives less than $1 (preview.MaxAge),
-- and one that a transaction's row concerns was read before that
-- transaction finished, so it is gone before the row is.
WITH finished AS (
    UPDATE preview_change SET finished_at = now()
    WHERE finished_at IS NULL AND xid < pg_snapshot_xmin(pg_current_snapshot())
)
DELETE FROM preview_change WHERE finished_at < now() - $1::interval
