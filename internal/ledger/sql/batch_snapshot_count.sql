-- What a snapshot would close: the open items of entity $1 missing from the
-- batch, out of all its open items. A join, not NOT EXISTS in the FILTER:
-- a subquery there runs once per open item, a scan of the staging table
-- each time (hours for a million), unless the planner happens to hash it.
-- The staged numbers are unique by then (Problems drops exact repeats and
-- refuses the others).
--
-- When the reader left unchanged rows out of the batch, $2 are the ids of
-- the open items it read and left no row out for, and $3 how many open
-- items it read (InvoiceBatch.Unchanged): the snapshot closes those of $2
-- still open that the batch does not stage, looked up by id; $2 is NULL
-- otherwise.
-- (Each branch is an aggregate, one row even when nothing matches: the
-- HAVING keeps the one that applies.)
SELECT count(*) FILTER (WHERE s.number IS NULL), count(*)
FROM invoice i
LEFT JOIN invoice_stage s ON s.number = i.number
WHERE $2::bigint[] IS NULL AND i.entity_id = $1 AND i.outstanding <> 0
HAVING $2::bigint[] IS NULL
UNION ALL
SELECT count(*), $3::bigint
FROM invoice i
WHERE $2::bigint[] IS NOT NULL AND i.id = ANY ($2::bigint[]) AND i.entity_id = $1 AND i.outstanding <> 0
  AND NOT EXISTS (SELECT 1 FROM invoice_stage s WHERE s.number = i.number)
HAVING $2::bigint[] IS NOT NULL
