-- Staged rows that would move an invoice of entity $1 to another client or
-- currency once it has reminders or settlements: what was sent and what was
-- paid belong to the invoice as it was. A new client counts as another.
SELECT s.line, CASE WHEN c.id IS DISTINCT FROM i.client_id THEN 'client' ELSE 'currency' END,
       s.number, cur.code, i.currency::text
FROM invoice_stage s
JOIN invoice i ON i.entity_id = $1 AND i.number = s.number
JOIN client cur ON cur.id = i.client_id
LEFT JOIN client c ON c.entity_id = $1 AND c.code = s.client_code
WHERE (c.id IS DISTINCT FROM i.client_id OR s.currency <> i.currency::text)
  AND (EXISTS (SELECT 1 FROM reminder r WHERE r.invoice_id = i.id)
       OR EXISTS (SELECT 1 FROM allocation a WHERE a.invoice_id = i.id))
ORDER BY s.line
LIMIT 1000
