-- The send jobs of day $1 not finalized: left by an interrupted drain, or
-- still the daemon's. later: waiting for a time (the send window, a retry's
-- backoff) rather than for a worker.
SELECT id, state IN ('scheduled', 'retryable') AS later
FROM river_job
WHERE kind = 'relance_send' AND finalized_at IS NULL AND args ->> 'day' = $1::date::text
ORDER BY id
