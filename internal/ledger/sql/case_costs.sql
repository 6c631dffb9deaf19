-- The costs of cases $1, by case and day.
SELECT case_id, id, kind, amount, incurred_on, coalesce(note, ''), created_by
FROM legal_case_cost
WHERE case_id = ANY ($1)
ORDER BY case_id, incurred_on, id
