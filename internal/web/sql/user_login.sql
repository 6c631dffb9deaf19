-- The enabled user $1's id, role and password hash, for a login.
SELECT id, role, password_hash FROM web_user WHERE email = $1 AND disabled_at IS NULL
