-- Each staged payment with the invoice and the client it names in entity
-- $1; the client is the invoice's, or else the one named.
CREATE TEMP TABLE payment_res ON COMMIT DROP AS
SELECT s.*, i.id AS invoice_id, i.client_id AS invoice_client, c.id AS named_client,
       COALESCE(i.client_id, c.id) AS client_id
FROM payment_stage s
LEFT JOIN invoice i ON i.entity_id = $1 AND i.number = s.invoice_number
LEFT JOIN client c ON c.entity_id = $1 AND c.code = s.client_code
