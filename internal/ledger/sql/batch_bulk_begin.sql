-- Takes the invoice table for the bulk path when it is empty, waiting at
-- most $1 for its lock (migration 00130: ledger_invoice_bulk_begin).
SELECT ledger_invoice_bulk_begin($1)
