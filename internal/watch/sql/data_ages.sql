-- Every entity that has open items, with the as-of of its newest payment
-- and invoice data (NULL: never received). An entity with nothing open has
-- nothing to send, and nothing to watch.
SELECT e.id, e.code, p.as_of, i.as_of
FROM entity e
LEFT JOIN data_freshness p ON p.entity_id = e.id AND p.kind = 'payments'
LEFT JOIN data_freshness i ON i.entity_id = e.id AND i.kind = 'invoices'
WHERE EXISTS (SELECT 1 FROM invoice x WHERE x.entity_id = e.id AND x.outstanding <> 0)
ORDER BY e.code
