-- The codes of $1's parent, its parent, and so on: a parent may not be its
-- own descendant.
WITH RECURSIVE up AS (
    SELECT e.id, e.code, e.parent_id, 1 AS depth FROM entity e WHERE e.code = $1
    UNION ALL
    SELECT p.id, p.code, p.parent_id, up.depth + 1 FROM entity p JOIN up ON p.id = up.parent_id WHERE up.depth < 100
)
SELECT code FROM up WHERE depth > 1 ORDER BY depth
