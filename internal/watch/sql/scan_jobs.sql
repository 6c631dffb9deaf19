-- Alerts for relance's own jobs other than sends (the sweep, the digest,
-- the watch) that were discarded after their last attempt or cancelled,
-- finalized since $1; a send job's death is already told by its
-- reminder_undelivered event. One alert per job (key job:<id>).
WITH raised AS (
    INSERT INTO event (kind, detail, actor, reason, day)
    SELECT 'alert_job_failed',
           jsonb_build_object('key', 'job:' || j.id, 'job_id', j.id, 'job_kind', j.kind, 'job_state', j.state::text,
                              'attempts', j.attempt, 'args', j.args,
                              'error', j.errors[cardinality(j.errors)] ->> 'error'),
           'relance', 'job_' || j.state::text, (j.finalized_at AT TIME ZONE $2)::date
    FROM river_job j
    WHERE j.kind LIKE 'relance\_%' AND j.kind <> 'relance_send'
      AND j.state IN ('discarded', 'cancelled') AND j.finalized_at >= $1
    ORDER BY j.id
    ON CONFLICT (kind, (detail ->> 'key')) WHERE kind LIKE 'alert\_%' DO NOTHING
    RETURNING kind
)
SELECT kind, count(*) FROM raised GROUP BY kind
