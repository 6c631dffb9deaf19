-- The staged payments the ledger cannot take, by line: a client it does not
-- know, an invoice of another client than the one named, or an unknown
-- invoice with no client to hold the payment as an unapplied credit.
SELECT line, CASE
        WHEN client_code IS NOT NULL AND named_client IS NULL THEN 'unknown_client'
        WHEN invoice_client <> named_client THEN 'other_client'
        ELSE 'unknown_invoice' END,
       COALESCE(invoice_number, ''), COALESCE(client_code, '')
FROM payment_res
WHERE client_id IS NULL OR (client_code IS NOT NULL AND named_client IS NULL) OR invoice_client <> named_client
ORDER BY line
LIMIT 1000
