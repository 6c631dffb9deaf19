-- Lifts the bouncing mark of client $1: email steps are decided again.
-- Returns the reason the mark had.
UPDATE client c SET email_bouncing_since = NULL, email_bounce_reason = NULL, updated_at = now()
FROM (SELECT id, email_bounce_reason FROM client WHERE id = $1) old
WHERE c.id = old.id AND c.email_bouncing_since IS NOT NULL
RETURNING coalesce(old.email_bounce_reason, '')
