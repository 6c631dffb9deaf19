-- The send jobs available to run (not those held for stale data or the send
-- window: scheduled), and since when the oldest waits; NULL when none.
SELECT count(*), min(scheduled_at) FROM river_job WHERE state = 'available' AND kind = 'relance_send'
