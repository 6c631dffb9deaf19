-- Of the days $1, those a sweep was recorded for (event sweep_done), and
-- the first day any sweep was: days before relance first swept were not
-- missed.
SELECT coalesce(array_agg(DISTINCT day) FILTER (WHERE day = ANY ($1)), '{}'),
       (SELECT min(day) FROM event WHERE kind = 'sweep_done')
FROM event WHERE kind = 'sweep_done' AND day = ANY ($1)
