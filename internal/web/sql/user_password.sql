-- Sets the password hash of the enabled user $1 to $2, at $3 by $4, and ends
-- their sessions: a password changed because it leaked must not leave a
-- session of the intruder open.
WITH u AS (
    UPDATE web_user SET password_hash = $2, password_changed_at = $3, password_changed_by = $4
    WHERE email = $1 AND disabled_at IS NULL
    RETURNING id),
s AS (
    UPDATE web_session SET ended_at = $3 FROM u WHERE web_session.user_id = u.id AND ended_at IS NULL)
SELECT count(*) FROM u
