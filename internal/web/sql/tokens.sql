-- Every API token, those in force first, by name.
SELECT name, role, created_at, created_by, last_used, revoked_at, COALESCE(revoked_by, '')
FROM api_token
ORDER BY revoked_at IS NOT NULL, name, created_at
