-- Records that the sweep of day $1 ran (by $2: 'relance' for the daemon's,
-- cli:<user> for a manual one), once per day: what the missed-sweep alert
-- looks for.
INSERT INTO event (kind, detail, actor, day)
SELECT 'sweep_done', jsonb_build_object('decisions', $3::int, 'messages', $4::int), $2, $1
WHERE NOT EXISTS (SELECT 1 FROM event WHERE kind = 'sweep_done' AND day = $1)
