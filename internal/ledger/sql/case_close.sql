-- Closes case $1 on day $2 with outcome $3, by $4: its invoices' ladder
-- resumes that day (a lost case's invoices are written off or excluded by
-- whoever closes it).
WITH closed AS (
    UPDATE legal_case SET closed_on = $2, outcome = $3, closed_by = $4 WHERE id = $1
)
UPDATE legal_case_invoice SET held_to = $2 WHERE case_id = $1
