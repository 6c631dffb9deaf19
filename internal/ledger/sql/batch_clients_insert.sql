-- Creates the clients relance does not have yet ($1: the entity), with the
-- hash of what the batch's rows said of each (said_hash, migration 00200;
-- NULL from a batch of clients). The NOT EXISTS spares a re-import a
-- conflict check per known client; ON CONFLICT still covers one another
-- writer created meanwhile.
INSERT INTO client (entity_id, code, name, emails, cc_emails, locale, profile, segment, country,
                    address_line1, address_line2, postcode, city, contact_name, phone, siren, siret,
                    vat_number, credit_limit, said_hash)
SELECT $1, client_code, COALESCE(client_name, client_code), COALESCE(emails, '{}'), COALESCE(cc_emails, '{}'),
       locale, profile, segment, COALESCE(country, 'FR'), address_line1, address_line2, postcode, city,
       contact_name, phone, siren, siret, vat_number, credit_limit, said_hash
FROM batch_client b
WHERE NOT EXISTS (SELECT 1 FROM client c WHERE c.entity_id = $1 AND c.code = b.client_code)
ON CONFLICT (entity_id, code) DO NOTHING
