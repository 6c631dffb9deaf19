-- A session of user $1 whose secret hashes to $2, with CSRF token $3, opened
-- at $4, noted as the user's last login.
WITH s AS (
    INSERT INTO web_session (id_hash, user_id, csrf_token, created_at, last_seen)
    VALUES ($2, $1, $3, $4, $4))
UPDATE web_user SET last_login = $4 WHERE id = $1
