-- Whether a report from day $4 read on snapshot $1 at $2 (the database's
-- time) is no longer the forecast: a transaction that wrote a table the
-- preview reads (preview_change, migration 00280) is not visible in $1, so
-- it committed after the preview took its snapshot, unless all it did was
-- send reminders on $4 or later (sent_on), which the report's sandbox
-- counted as sent on $4 already; or the report is older than $3.
-- Those below the snapshot's xmin had finished before it was taken: visible
-- if they committed, gone if they rolled back; the index on xid skips them.
-- A transaction still in progress is not seen here; once it commits, the
-- next look sees it.
SELECT $2::timestamptz < now() - $3::interval
    OR EXISTS (SELECT 1 FROM preview_change
               WHERE xid >= pg_snapshot_xmin($1::pg_snapshot) AND NOT pg_visible_in_snapshot(xid, $1::pg_snapshot)
                 AND (sent_on IS NULL OR sent_on < $4::date))
