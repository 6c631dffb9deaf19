-- The id of entity $1 and, when $2, those of every entity under it: a
-- holding's companies, and theirs. Depth is bounded as in ledger's
-- entity_ancestors.sql (a parent may not be its own descendant).
WITH RECURSIVE down AS (
    SELECT e.id, 1 AS depth FROM entity e WHERE e.code = $1
    UNION ALL
    SELECT c.id, down.depth + 1 FROM entity c JOIN down ON c.parent_id = down.id WHERE $2 AND down.depth < 100
)
SELECT id FROM down
