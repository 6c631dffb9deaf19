-- The staging table of a batch of clients (an API body of clients), named
-- like the table batch_clients_collect.sql makes from a batch of invoices,
-- so that batch_clients_update.sql and batch_clients_insert.sql apply both.
-- NULL means "the batch does not say". Its columns are clientStageColumns,
-- in order, then said_hash, which a batch of clients does not set: it
-- clears the said hash of a client whose fields it changes (migration 00200).
CREATE TEMP TABLE batch_client (
    line int NOT NULL, client_code text NOT NULL, client_name text, emails text[], cc_emails text[],
    locale text, profile text, segment text, country text, address_line1 text, address_line2 text,
    postcode text, city text, contact_name text, phone text, siren text, siret text, vat_number text,
    credit_limit bigint, said_hash bigint
) ON COMMIT DROP
