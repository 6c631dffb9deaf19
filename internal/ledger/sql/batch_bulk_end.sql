-- Rebuilds the indexes and keys the bulk path dropped (migration 00130).
SELECT ledger_invoice_bulk_end()
