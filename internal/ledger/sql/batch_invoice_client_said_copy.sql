-- The staging COPY of what an invoice batch's rows say of their clients, in
-- COPY's binary format: said, then copyRow.clientSaid's columns
-- (invoice_client_stage.go), in this order.
COPY invoice_client_said (said, client_code, client_name, emails, locale, profile, cc_emails, segment, country,
    address_line1, address_line2, postcode, city, contact_name, phone, siren, siret, vat_number, credit_limit,
    said_hash) FROM STDIN (FORMAT binary)
