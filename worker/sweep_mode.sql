-- Whether the sweep of day $1 may read through sweep_wake (migration 00161):
-- the wake days hold for the days from the latest one swept that way, once
-- every decision recorded is on or before $1. An earlier day is a replay,
-- which reads the whole ledger as of $1.
SELECT $1::date >= s.last_day AND $1::date >= coalesce((SELECT max(due_on) FROM reminder), '-infinity')
FROM sweep_state s
