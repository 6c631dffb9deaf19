-- The reminder ledger as it stood on the morning of $1, into the sandbox's
-- twin: what was decided before $1 and not dropped (a dropped row is no
-- history: the sweep decides it again). What was decided on $1 or later is
-- left out: it is what the simulation decides for itself.
INSERT INTO sandbox_reminder OVERRIDING SYSTEM VALUE
SELECT * FROM reminder WHERE due_on < $1 AND status <> 'dropped'
