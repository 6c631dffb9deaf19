-- What the rows of a batch of invoices say of their clients, once per client
-- and set of values (invoice_client_stage.go): invoice_stage.client_said is
-- a row's said. NULL means "the rows do not say". said_hash is the hash of
-- the values (saidHash). Its columns are written by
-- batch_invoice_client_said_copy.sql.
CREATE TEMP TABLE invoice_client_said (
    said int NOT NULL, client_code text NOT NULL, client_name text, emails text[], locale text, profile text,
    cc_emails text[], segment text, country text, address_line1 text, address_line2 text,
    postcode text, city text, contact_name text, phone text,
    siren text, siret text, vat_number text, credit_limit bigint, said_hash bigint NOT NULL
) ON COMMIT DROP
