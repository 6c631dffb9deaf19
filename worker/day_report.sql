-- The message rows (not actions) decided for day $1, by status and reason.
SELECT status, coalesce(drop_reason, ''), count(*)
FROM reminder
WHERE due_on = $1 AND level >= 0
GROUP BY 1, 2
