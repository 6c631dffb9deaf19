-- The jobs $1 of a drain: not finalized, of those running, and how the
-- others ended.
SELECT count(*) FILTER (WHERE finalized_at IS NULL), count(*) FILTER (WHERE state = 'running'),
       count(*) FILTER (WHERE state = 'completed'), count(*) FILTER (WHERE state = 'cancelled'),
       count(*) FILTER (WHERE state = 'discarded')
FROM river_job WHERE id = ANY ($1)
