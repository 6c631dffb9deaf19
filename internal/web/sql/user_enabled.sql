-- The enabled user $1's id and role: the single sign-on's lookup.
SELECT id, role FROM web_user WHERE email = $1 AND disabled_at IS NULL
