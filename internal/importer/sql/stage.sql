-- The staging table of an invoice import: one row per valid row of the
-- file. A TEMP table is never WAL-logged and has no index: COPY into it
-- costs about what a bare COPY costs. NULL means "the file does not say",
-- which never overwrites what the database knows.
CREATE TEMP TABLE import_stage (
    line int NOT NULL, number text NOT NULL, client_code text NOT NULL, client_name text,
    issue_date date NOT NULL, due_date date NOT NULL, terms text, amount bigint NOT NULL,
    amount_excl bigint, paid bigint, currency text NOT NULL, kind text NOT NULL,
    applies_to text, emails text[], locale text, profile text,
    cc_emails text[], segment text, country text, address_line1 text, address_line2 text,
    postcode text, city text, contact_name text, phone text,
    siren text, siret text, vat_number text, credit_limit bigint
) ON COMMIT DROP
