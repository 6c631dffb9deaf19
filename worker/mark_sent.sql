-- The rows of a delivered message: sent, with its Message-ID, the job, the
-- instant ($4) and the business day it went out ($5, SendWorker.sentOn).
UPDATE reminder SET status = 'sent', sent_at = $4, sent_on = $5, message_id = $2, job_id = $3
WHERE id = ANY ($1)
