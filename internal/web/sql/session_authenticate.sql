-- The open session whose secret hashes to $1, of an enabled user, neither
-- idle since $3 nor opened before $4, seen again at $2. Its last_seen is
-- written at most once a minute, not on every request.
WITH s AS (
    SELECT s.id_hash, s.csrf_token, s.last_seen, u.email, u.role
    FROM web_session s JOIN web_user u ON u.id = s.user_id
    WHERE s.id_hash = $1 AND s.ended_at IS NULL AND u.disabled_at IS NULL
      AND s.last_seen > $3 AND s.created_at > $4),
seen AS (
    UPDATE web_session w SET last_seen = $2 FROM s
    WHERE w.id_hash = s.id_hash AND s.last_seen < $2::timestamptz - interval '1 minute')
SELECT email, role, csrf_token FROM s
