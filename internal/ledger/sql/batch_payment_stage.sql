-- The staging table of a batch of payments (a file's valid rows, an API
-- body); its columns are paymentStageColumns, in order.
CREATE TEMP TABLE payment_stage (
    line int NOT NULL, invoice_number text, client_code text, received_on date NOT NULL,
    amount bigint NOT NULL, reference text, currency text NOT NULL
) ON COMMIT DROP
