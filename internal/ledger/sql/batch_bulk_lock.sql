-- Takes sweep_wake and allocation for the bulk path once it has invoice,
-- waiting at most $1 for each (migration 00210: ledger_invoice_bulk_lock).
SELECT ledger_invoice_bulk_lock($1)
