-- Stores the response of the write that claimed owner $1's key $2.
UPDATE api_idempotency SET status = $3, etag = NULLIF($4, ''), body = $5 WHERE owner = $1 AND key = $2
