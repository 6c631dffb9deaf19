-- The simulated send of a previewed day: its messages count as sent on that
-- day for the days after it (min_gap runs from there, the next level
-- follows), inside the transaction the preview rolls back.
UPDATE reminder SET status = 'sent', sent_at = $2 WHERE id = ANY ($1) AND status = 'pending'
