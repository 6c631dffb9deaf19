-- Claims Idempotency-Key $2 for owner $1 with the request's fingerprint $3
-- at $4, in the transaction of the write. A second request with the key
-- waits here until the first commits or rolls back; it then claims the key
-- (the first failed) or returns no row (the first's response is stored).
INSERT INTO api_idempotency (owner, key, fingerprint, created_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (owner, key) DO NOTHING
RETURNING true
