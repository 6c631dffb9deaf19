-- Locks case $2 of entity $1 for a change.
SELECT id FROM legal_case WHERE entity_id = $1 AND id = $2 FOR UPDATE
