-- Whether a batch may take the bulk path, which needs the invoice table
-- empty: only then does Problems compute the link the bulk insert reads
-- (batch_bulk_link.sql). A hint, not the decision: ledger_invoice_bulk_begin
-- decides under its lock, and the insert computes the link itself when
-- Problems did not.
SELECT NOT EXISTS (SELECT FROM invoice)
