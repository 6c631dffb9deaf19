-- What a snapshot would close: the open items of entity $1 missing from the
-- batch, out of all its open items. A join, not NOT EXISTS in the FILTER:
-- a subquery there runs once per open item, a scan of the staging table
-- each time (hours for a million), unless the planner happens to hash it.
-- The staged numbers are unique by then (Problems drops exact repeats and
-- refuses the others).
--
-- When the reader left unchanged rows out of the batch, $2 are the numbers
-- of the open items its file does not list (InvoiceBatch.Unchanged): those
-- still open are what it closes, looked up by number; $2 is NULL otherwise.
SELECT CASE WHEN $2::text[] IS NULL THEN count(*) FILTER (WHERE s.number IS NULL)
            ELSE (SELECT count(*) FROM unnest($2::text[]) AS a (number)
                  JOIN invoice g ON g.entity_id = $1 AND g.number = a.number
                  WHERE g.outstanding <> 0) END,
       count(*)
FROM invoice i
LEFT JOIN invoice_stage s ON $2::text[] IS NULL AND s.number = i.number
WHERE i.entity_id = $1 AND i.outstanding <> 0
