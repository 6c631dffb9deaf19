-- Takes sweep_wake, allocation and client_balance for the bulk path once it
-- has invoice, waiting at most $1 for each (migration 00230:
-- ledger_invoice_bulk_lock, which replaced 00210's).
SELECT ledger_invoice_bulk_lock($1)
