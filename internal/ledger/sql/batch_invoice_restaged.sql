-- The ids of the invoices of entity $1 whose numbers the batch stages.
SELECT coalesce(array_agg(i.id), '{}')
FROM invoice_stage s JOIN invoice i ON i.entity_id = $1 AND i.number = s.number
