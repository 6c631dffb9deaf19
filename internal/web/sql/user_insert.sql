-- A new user $1 with role $2 and password hash $3, made at $4 by $5.
INSERT INTO web_user (email, role, password_hash, created_at, created_by, password_changed_at, password_changed_by)
VALUES ($1, $2, $3, $4, $5, $4, $5)
