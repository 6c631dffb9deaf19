-- What invoice's statement triggers on insert write, for the invoices the
-- bulk path inserted with them off ($1: the batch): sweep_wake,
-- client_balance and ledger_horizon (migration 00230, which replaced
-- 00210's ledger_invoice_bulk_fill).
SELECT ledger_invoice_bulk_fill($1)
