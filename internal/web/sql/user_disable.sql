-- Disables the enabled user $1 at $2 by $3, and ends their sessions.
WITH u AS (
    UPDATE web_user SET disabled_at = $2, disabled_by = $3
    WHERE email = $1 AND disabled_at IS NULL
    RETURNING id),
s AS (
    UPDATE web_session SET ended_at = $2 FROM u WHERE web_session.user_id = u.id AND ended_at IS NULL)
SELECT count(*) FROM u
