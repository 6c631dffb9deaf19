-- A new API token: name $1, role $2, the SHA-256 of its secret $3, created
-- at $4 by $5. A name in force is refused by api_token_name_idx.
INSERT INTO api_token (name, role, secret_hash, created_at, created_by)
VALUES ($1, $2, $3, $4, $5)
RETURNING id
