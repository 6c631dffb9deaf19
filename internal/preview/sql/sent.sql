-- The simulated send of a previewed day: its messages count as sent on that
-- day (sent_on, from which min_gap runs; the next level follows) for the
-- days after it, inside the transaction the preview rolls back. $2 is noon of
-- the day, $3 the day.
UPDATE reminder SET status = 'sent', sent_at = $2, sent_on = $3 WHERE id = ANY ($1) AND status = 'pending'
