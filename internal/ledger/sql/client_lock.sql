-- Locks client $2 of entity $1 for a change and returns its id.
SELECT id FROM client WHERE entity_id = $1 AND code = $2 FOR UPDATE
