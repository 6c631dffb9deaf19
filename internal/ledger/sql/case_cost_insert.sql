-- Records a cost of case $1: kind $2, amount $3, incurred on $4, note $5,
-- by $6. Returns its id.
INSERT INTO legal_case_cost (case_id, kind, amount, incurred_on, note, created_by)
VALUES ($1, $2, $3, $4, nullif($5, ''), $6)
RETURNING id
