-- Revokes the token in force named $1, at $2 by $3.
UPDATE api_token SET revoked_at = $2, revoked_by = $3
WHERE name = $1 AND revoked_at IS NULL
