-- Counts a failed login at $2 against each key in $1: a key whose window
-- (started after $3) is over starts a new one. Windows past are deleted, so
-- that the table stays bounded by the keys that failed lately.
WITH gone AS (
    DELETE FROM web_login_failure WHERE since <= $3 AND key <> ALL($1))
INSERT INTO web_login_failure (key, failures, since)
SELECT k, 1, $2 FROM unnest($1::text[]) AS k
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN web_login_failure.since <= $3 THEN 1 ELSE web_login_failure.failures + 1 END,
    since = CASE WHEN web_login_failure.since <= $3 THEN $2 ELSE web_login_failure.since END
