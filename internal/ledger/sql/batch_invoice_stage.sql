-- The staging table of a batch of invoices (a file's valid rows, an API
-- body), which the batch_* statements apply to the ledger. A TEMP table is
-- never WAL-logged and has no index: COPY into it costs about what a bare
-- COPY costs. NULL means "the batch does not say", which never overwrites
-- what the ledger knows. source_hash is the row's BatchInvoice.SourceHash,
-- stored on the invoice it writes. Its columns are invoiceStageColumns, in
-- order.
CREATE TEMP TABLE invoice_stage (
    line int NOT NULL, number text NOT NULL, client_code text NOT NULL, client_name text,
    issue_date date NOT NULL, due_date date NOT NULL, terms text, amount bigint NOT NULL,
    amount_excl bigint, paid bigint, currency text NOT NULL, kind text NOT NULL,
    applies_to text, emails text[], locale text, profile text,
    cc_emails text[], segment text, country text, address_line1 text, address_line2 text,
    postcode text, city text, contact_name text, phone text,
    siren text, siret text, vat_number text, credit_limit bigint, source_hash uuid NOT NULL
) ON COMMIT DROP
