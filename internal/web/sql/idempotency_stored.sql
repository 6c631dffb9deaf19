-- The request and response stored for owner $1's Idempotency-Key $2.
SELECT fingerprint, status, etag, body FROM api_idempotency WHERE owner = $1 AND key = $2
