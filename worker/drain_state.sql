-- The jobs $1 of a drain: not finalized, of those running, and how the
-- others ended; held: snoozed by the freshness guard (their entity's
-- payment data is stale), waiting for fresh data rather than for a worker
-- (River makes a short snooze 'available' at a later scheduled_at, a long
-- one 'scheduled').
SELECT count(*) FILTER (WHERE finalized_at IS NULL), count(*) FILTER (WHERE state = 'running'),
       count(*) FILTER (WHERE state = 'completed'), count(*) FILTER (WHERE state = 'cancelled'),
       count(*) FILTER (WHERE state = 'discarded'),
       count(*) FILTER (WHERE state IN ('scheduled', 'available') AND scheduled_at > now() AND metadata ? 'snoozes')
FROM river_job
-- A drain's jobs were inserted together: the primary key's range $2..$3
-- is read in one index scan and each id looked up in $1 as a hash ("id +
-- 0" keeps the planner from descending the index once per id: 10,000 ids
-- took 40 ms a look, every look of the drain).
WHERE id BETWEEN $2 AND $3 AND id + 0 = ANY ($1)
