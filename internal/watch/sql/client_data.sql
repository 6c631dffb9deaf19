-- The entity of client $1 with the as-of of its newest payment and invoice
-- data (NULL: never received): what the guard reads before each send.
SELECT e.id, e.code, p.as_of, i.as_of
FROM client c
JOIN entity e ON e.id = c.entity_id
LEFT JOIN data_freshness p ON p.entity_id = e.id AND p.kind = 'payments'
LEFT JOIN data_freshness i ON i.entity_id = e.id AND i.kind = 'invoices'
WHERE c.id = $1
