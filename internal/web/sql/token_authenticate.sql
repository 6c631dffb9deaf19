-- The token in force whose secret hashes to $1, noting that it was used on
-- day $2 (written once a day at most, not on every request).
WITH t AS (
    SELECT id, name, role, last_used FROM api_token WHERE secret_hash = $1 AND revoked_at IS NULL),
used AS (
    UPDATE api_token a SET last_used = $2 FROM t WHERE a.id = t.id AND t.last_used IS DISTINCT FROM $2)
SELECT name, role FROM t
