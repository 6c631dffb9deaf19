-- The COPY of what the rows a re-import left out say of their clients
-- (InvoiceBatch.Unchanged), in COPY's binary format: copyRow.clientSaid's
-- columns (invoice_client_stage.go), in this order.
COPY client_said_unchanged (client_code, client_name, emails, locale, profile, cc_emails, segment, country,
    address_line1, address_line2, postcode, city, contact_name, phone, siren, siret, vat_number, credit_limit,
    said_hash) FROM STDIN (FORMAT binary)
