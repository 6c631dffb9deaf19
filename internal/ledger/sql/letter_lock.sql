-- Locks the letter numbered $1 (NULL: any) and keyed $2 (NULL: any) before a
-- change of its state, so that two callbacks about it apply one after the
-- other.
SELECT id FROM letter WHERE ($1::bigint IS NULL OR id = $1) AND ($2::text IS NULL OR key = $2) FOR UPDATE
