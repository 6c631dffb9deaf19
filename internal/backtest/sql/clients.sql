-- The clients of entity $2 among the ids $1, with what the report names
-- them by.
SELECT c.id, c.code, c.name
FROM client c JOIN entity e ON e.id = c.entity_id
WHERE c.id = ANY ($1) AND e.code = $2
