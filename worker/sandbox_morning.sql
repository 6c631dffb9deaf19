-- A reminder decided before $1 but not out by that morning (pending, or
-- sent on $1 or later) goes out on $1, as the simulation's own messages go
-- out the day they are decided: left pending it would hold its invoice's
-- ladder for the whole simulation, since no send job of the sandbox will
-- ever send it. $2 is noon of $1.
UPDATE sandbox_reminder SET status = 'sent', sent_on = $1, sent_at = $2
WHERE status = 'pending' OR (status = 'sent' AND sent_on >= $1)
