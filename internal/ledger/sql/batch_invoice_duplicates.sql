-- Invoice numbers listed more than once, with their lines, and whether the
-- repeats disagree (an exact repeat is harmless and kept once).
SELECT number, array_agg(line ORDER BY line), count(DISTINCT (amount, client_code, kind)) > 1
FROM invoice_stage
GROUP BY number HAVING count(*) > 1
ORDER BY min(line)
LIMIT 1000
