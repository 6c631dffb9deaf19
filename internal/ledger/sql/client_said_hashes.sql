-- The said hash of each client of entity $1 that has one (migration
-- 00200): a snapshot's re-import leaves out the clients whose rows it all
-- left out and said what they said the last time.
SELECT code, said_hash FROM client WHERE entity_id = $1 AND said_hash IS NOT NULL
