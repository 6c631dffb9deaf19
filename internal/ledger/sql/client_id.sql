-- The id of client $2 of entity $1.
SELECT id FROM client WHERE entity_id = $1 AND code = $2
