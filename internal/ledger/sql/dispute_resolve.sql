-- Closes dispute $1 on day $2 with outcome $3, by $4.
UPDATE dispute SET resolved_on = $2, outcome = nullif($3, ''), resolved_by = $4 WHERE id = $1
