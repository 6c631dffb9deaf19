-- Every client of entity $1 with its balance and state on day $2, by code.
-- Balances are today's: a client list is a current view.
WITH open_items AS (
    SELECT i.client_id, sum(i.outstanding) AS open,
           sum(i.outstanding) FILTER (WHERE i.outstanding > 0 AND i.kind = 'invoice' AND i.due_date < $2) AS overdue
    FROM invoice i WHERE i.entity_id = $1 AND i.outstanding <> 0 GROUP BY i.client_id
), credits AS (
    SELECT p.client_id, sum(p.unallocated) AS amount
    FROM payment p WHERE p.entity_id = $1 AND p.unallocated <> 0 GROUP BY p.client_id
), paused AS (
    SELECT DISTINCT pa.client_id FROM pause pa JOIN client c ON c.id = pa.client_id AND c.entity_id = $1
    WHERE pa.kind = 'pause' AND pa.from_on <= $2
      AND (pa.until IS NULL OR pa.until >= $2) AND (pa.resumed_on IS NULL OR pa.resumed_on > $2)
)
SELECT c.code, c.name, c.country, coalesce(c.profile, ''), coalesce(c.payer_score::text, ''),
       coalesce(o.open, 0) - coalesce(cr.amount, 0), coalesce(o.overdue, 0),
       pz.client_id IS NOT NULL, c.excluded, c.email_bouncing_since IS NOT NULL,
       c.insolvency_opened_on IS NOT NULL AND c.insolvency_opened_on <= $2
FROM client c
LEFT JOIN open_items o ON o.client_id = c.id
LEFT JOIN credits cr ON cr.client_id = c.id
LEFT JOIN paused pz ON pz.client_id = c.id
WHERE c.entity_id = $1
ORDER BY c.code
