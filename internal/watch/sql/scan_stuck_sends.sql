-- Sends that wait and do not move: relance_send jobs available to run since
-- before $1 - $2 while no send job finished since then, so nothing takes
-- them (no daemon, workers hung, the send queue paused and forgotten). A
-- slow drain (mail.smtp.rate_per_minute) finishes jobs as it goes and does
-- not alert; jobs held for stale data or waiting for the send window are
-- scheduled, not available. One alert per episode: the key names the oldest
-- waiting job, so the alert comes back only once a later backlog sticks.
-- $1 now, $2 alerts.stuck_after, $3 the time zone of the alert's day and
-- of the local times in its detail.
WITH waiting AS (
    SELECT count(*) AS jobs, min(j.scheduled_at) AS since
    FROM river_job j
    WHERE j.state = 'available' AND j.kind = 'relance_send'
), oldest AS (
    SELECT j.id
    FROM river_job j
    WHERE j.state = 'available' AND j.kind = 'relance_send'
    ORDER BY j.scheduled_at, j.id
    LIMIT 1
), raised AS (
    INSERT INTO event (kind, detail, actor, reason, day)
    SELECT 'alert_send_stuck',
           jsonb_build_object('key', 'send_stuck:' || o.id, 'jobs', w.jobs, 'waiting_since', w.since AT TIME ZONE $3,
                              'stuck_minutes', (extract(epoch FROM $2::interval) / 60)::int, 'queue_paused_at', q.paused_at AT TIME ZONE $3),
           'relance', 'sends_not_moving', ($1 AT TIME ZONE $3)::date
    FROM waiting w
    CROSS JOIN oldest o
    LEFT JOIN river_queue q ON q.name = 'send'
    WHERE w.since <= $1 - $2::interval
      AND NOT EXISTS (SELECT 1 FROM river_job f
                      WHERE f.state IN ('completed', 'cancelled', 'discarded') AND f.finalized_at > $1 - $2::interval
                        AND f.kind = 'relance_send')
    ON CONFLICT (kind, (detail ->> 'key')) WHERE kind LIKE 'alert\_%' DO NOTHING
    RETURNING kind
)
SELECT kind, count(*) FROM raised GROUP BY kind
