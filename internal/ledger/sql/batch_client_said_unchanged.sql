-- What the rows a re-import left out (unchanged, InvoiceBatch.Unchanged)
-- say of their clients, each distinct (code, fields) once: the clients of a
-- batch are collected over all its rows (batch_clients_collect.sql). Its
-- columns are written by batch_client_said_unchanged_copy.sql.
CREATE TEMP TABLE client_said_unchanged (
    client_code text NOT NULL, client_name text, emails text[], locale text, profile text,
    cc_emails text[], segment text, country text, address_line1 text, address_line2 text,
    postcode text, city text, contact_name text, phone text,
    siren text, siret text, vat_number text, credit_limit bigint, said_hash bigint NOT NULL
) ON COMMIT DROP
