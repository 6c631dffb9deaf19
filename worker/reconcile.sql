-- Reconciliation: reminder rows still pending whose send job will never send
-- them — discarded after its last attempt, cancelled, or deleted (from River
-- UI, or by River's cleaner) — are dropped with the job's fate as the reason
-- (job_discarded, job_cancelled, job_deleted). A dropped row is not ladder
-- history, so the next sweep decides the step again and revives the row;
-- an event per job says what happened, with the job's last error.
-- Parameters: $1 the business day the event is recorded for.
WITH live AS (          -- every row a job will still try: not finalized (running, retrying, scheduled…)
    SELECT x.id::bigint AS id
    FROM river_job j CROSS JOIN LATERAL jsonb_array_elements_text(j.args -> 'reminder_ids') AS x(id)
    WHERE j.kind = 'relance_send' AND j.finalized_at IS NULL
), orphans AS (         -- pending rows no live job names: usually none
    -- A set difference: hashed, or sorted when the planner thinks it would
    -- not fit in work_mem, linear either way. Both joins it replaces went
    -- quadratic on some estimates: an anti join planned on the reminder
    -- table's stale statistics right after a sweep (10,000 pending rows took
    -- 9 s), and NOT IN (SELECT id FROM live), hashed only while the live
    -- ids are thought to fit in work_mem; with 40,000 live jobs (each
    -- guessed at 100 ids) it rescanned them for every pending row: 80,000
    -- pending rows took 185 s, against 0.19 s here.
    SELECT r.id FROM reminder r WHERE r.status = 'pending' AND r.level >= 0
    EXCEPT
    SELECT id FROM live
), dead_jobs AS (       -- the latest finalized job of each orphan that did not complete it
    SELECT DISTINCT ON (x.id) x.id::bigint AS reminder_id, j.id AS job_id, j.state::text AS state, j.attempt,
           j.errors[cardinality(j.errors)] ->> 'error' AS last_error
    FROM river_job j CROSS JOIN LATERAL jsonb_array_elements_text(j.args -> 'reminder_ids') AS x(id)
    WHERE j.kind = 'relance_send' AND j.state IN ('discarded', 'cancelled')
      AND x.id::bigint IN (SELECT id FROM orphans)
    ORDER BY x.id, j.id DESC
), dead AS (
    SELECT o.id, dj.job_id, coalesce(dj.state, 'deleted') AS state, dj.attempt, dj.last_error
    FROM orphans o
    LEFT JOIN dead_jobs dj ON dj.reminder_id = o.id
), dropped AS (
    -- status is checked again after any row lock: two reconciliations at
    -- once drop each row once.
    UPDATE reminder r SET status = 'dropped', drop_reason = 'job_' || d.state, job_id = coalesce(d.job_id, r.job_id)
    FROM dead d
    WHERE r.id = d.id AND r.status = 'pending'
    RETURNING r.id, r.client_id, r.due_on, d.job_id, d.state, d.attempt, d.last_error
), events AS (
    INSERT INTO event (kind, client_id, day, reason, detail)
    SELECT 'reminder_undelivered', client_id, $1::date, 'job_' || state,
           jsonb_build_object('job_id', job_id, 'job_state', state, 'attempts', attempt, 'error', last_error,
                              'decided_on', min(due_on), 'reminder_ids', array_agg(id ORDER BY id))
    FROM dropped
    GROUP BY client_id, job_id, state, attempt, last_error
)
SELECT state, count(*) FROM dropped GROUP BY state ORDER BY state
