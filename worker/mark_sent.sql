-- The rows of a delivered message: sent, with its Message-ID, the job, the
-- instant ($4) and the business day it went out ($5, SendWorker.sentOn).
-- The transaction is noted for the upcoming page's kept forecasts
-- (preview_change, migration 00280) with that day: a reminder going out is
-- seen only by a forecast from a later day. Noted here, in the statement,
-- rather than by a trigger on every update of reminder: this is the one
-- place a reminder goes from pending to sent, and the trigger's work cost
-- every message a fifth more of the database's CPU.
WITH sent AS (
    UPDATE reminder SET status = 'sent', sent_at = $4, sent_on = $5, message_id = $2, job_id = $3
    WHERE id = ANY ($1)
    RETURNING 1
)
INSERT INTO preview_change AS c (xid, sent_on)
SELECT pg_current_xact_id(), $5 WHERE EXISTS (SELECT FROM sent)
ON CONFLICT (xid) DO UPDATE SET sent_on = EXCLUDED.sent_on WHERE c.sent_on > EXCLUDED.sent_on
