-- What a snapshot would close: the open items of entity $1 missing from the
-- batch, out of all its open items. A join, not NOT EXISTS in the FILTER:
-- a subquery there runs once per open item, a scan of the staging table
-- each time (hours for a million), unless the planner happens to hash it.
-- The staged numbers are unique by then (Problems drops exact repeats and
-- refuses the others).
SELECT count(*) FILTER (WHERE s.number IS NULL), count(*)
FROM invoice i
LEFT JOIN invoice_stage s ON s.number = i.number
WHERE i.entity_id = $1 AND i.outstanding <> 0
