-- The staging table of a batch of invoices (a file's valid rows, an API
-- body), which the batch_* statements apply to the ledger. A TEMP table is
-- never WAL-logged and has no index: COPY into it costs about what a bare
-- COPY costs. NULL means "the batch does not say", which never overwrites
-- what the ledger knows. batch_invoice_stage_copy.sql fills its columns:
-- source_hash is the row's BatchInvoice.SourceHash, stored on the invoice it
-- writes; client_said is the row's line of invoice_client_said, what it says
-- of its client (invoice_client_stage.go).
CREATE TEMP TABLE invoice_stage (
    line int NOT NULL, number text NOT NULL, client_code text NOT NULL,
    issue_date date NOT NULL, due_date date NOT NULL, terms text, amount bigint NOT NULL,
    amount_excl bigint, paid bigint, currency text NOT NULL, kind text NOT NULL,
    applies_to text, source_hash uuid NOT NULL, client_said int NOT NULL
) ON COMMIT DROP
