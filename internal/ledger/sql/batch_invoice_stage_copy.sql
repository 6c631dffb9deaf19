-- The staging COPY of an invoice batch's rows, in COPY's binary format
-- written by copyRow.invoiceRow (stage_copy.go), which writes these columns
-- in this order.
COPY invoice_stage (line, number, client_code, issue_date, due_date, terms, amount, amount_excl, paid,
    currency, kind, applies_to, source_hash, client_said) FROM STDIN (FORMAT binary)
