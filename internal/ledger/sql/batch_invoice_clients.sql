-- The clients an invoice batch of entity $1 touched (batch_client, from
-- batch_clients_collect.sql): those whose credit usage may have moved.
SELECT coalesce(array_agg(c.id), '{}') FROM batch_client b JOIN client c ON c.entity_id = $1 AND c.code = b.client_code
