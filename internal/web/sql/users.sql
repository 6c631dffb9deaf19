-- Every user, those enabled first, by email.
SELECT email, role, created_at, created_by, password_changed_at, password_changed_by,
       disabled_at, coalesce(disabled_by, ''), last_login
FROM web_user
ORDER BY disabled_at IS NOT NULL, email
