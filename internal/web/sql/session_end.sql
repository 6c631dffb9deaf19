-- Ends the session whose secret hashes to $1, at $2 (logout).
UPDATE web_session SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL
