-- Forgets the keys claimed before $1 (a day ago): a retry comes within
-- minutes, and the table stays small.
DELETE FROM api_idempotency WHERE created_at < $1
