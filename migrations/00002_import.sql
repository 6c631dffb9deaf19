-- +goose Up
-- Imported payments remember the invoice number they were paid against, so
-- that importing the same payments file twice records each payment once: the
-- natural key of an imported payment is (client, invoice, date, amount,
-- reference). Payments entered otherwise (API) are not constrained.
ALTER TABLE payment ADD COLUMN invoice_number text;
CREATE UNIQUE INDEX payment_import_key ON payment
    (entity_id, client_id, COALESCE(invoice_number, ''), received_on, amount, COALESCE(reference, ''))
    WHERE import_batch_id IS NOT NULL;

-- +goose Down
DROP INDEX payment_import_key;
ALTER TABLE payment DROP COLUMN invoice_number;
