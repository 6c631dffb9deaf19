-- Invoice numbers listed more than once, with their lines, and whether the
-- repeats disagree (an exact repeat is harmless and kept once). The numbers
-- listed twice are found first by hashing the batch's numbers alone: the
-- sort that count(DISTINCT …) needs runs over those few rows only, not over
-- a million. $1 is NULL, or the only numbers that may be listed twice
-- (numberFilter, number_filter.go: every number the batch stages twice is
-- among them), so that a large batch's numbers are not all hashed to find
-- none. IN (SELECT unnest …), not = ANY: under a generic plan (a statement
-- run often on one connection) = ANY compares each row with every
-- candidate, 10.7 s for a million rows and 419 candidates, where this
-- hashes them (0.2 s).
WITH twice AS (
    SELECT number FROM invoice_stage
    WHERE $1::text[] IS NULL OR number IN (SELECT unnest($1::text[]))
    GROUP BY number HAVING count(*) > 1)
SELECT s.number, array_agg(s.line ORDER BY s.line), count(DISTINCT (s.amount, s.client_code, s.kind)) > 1
FROM invoice_stage s JOIN twice USING (number)
GROUP BY s.number
ORDER BY min(s.line)
LIMIT 1000
