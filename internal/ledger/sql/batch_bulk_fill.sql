-- What invoice's statement triggers on insert write, for the invoices the
-- bulk path inserted with them off ($1: the batch): sweep_wake,
-- client_balance and ledger_horizon (migration 00210).
SELECT ledger_invoice_bulk_fill($1)
