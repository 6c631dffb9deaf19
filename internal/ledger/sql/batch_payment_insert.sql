-- Records the staged payments in entity $1 as batch $2. The same payment
-- (client, invoice, date, amount, reference) is never recorded twice: what
-- is new goes to payment_new.
WITH ins AS (
    INSERT INTO payment (entity_id, client_id, reference, received_on, currency, amount, import_batch_id, invoice_number)
    SELECT $1, client_id, reference, received_on, currency, amount, $2, invoice_number FROM payment_res ORDER BY line
    ON CONFLICT DO NOTHING
    RETURNING id, invoice_number, received_on, amount)
INSERT INTO payment_new SELECT * FROM ins
