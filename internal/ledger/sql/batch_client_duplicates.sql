-- Client codes listed more than once in a batch of clients, with their
-- lines: a client is described once per batch.
SELECT client_code, array_agg(line ORDER BY line)
FROM batch_client
GROUP BY client_code HAVING count(*) > 1
ORDER BY min(line)
LIMIT 1000
