-- The payments a batch records for the first time.
CREATE TEMP TABLE payment_new (id bigint, invoice_number text, received_on date, amount bigint) ON COMMIT DROP
