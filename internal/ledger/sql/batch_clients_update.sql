-- Updates the clients relance already has ($1: the entity). It runs before
-- the insert, so that a field the batch does not say, NULL in staging, never
-- blanks what the client has; a client the batch describes as it is stored
-- is not written at all.
UPDATE client c SET
    name = n.name, emails = n.emails, cc_emails = n.cc_emails, locale = n.locale, profile = n.profile,
    segment = n.segment, country = n.country, address_line1 = n.address_line1, address_line2 = n.address_line2,
    postcode = n.postcode, city = n.city, contact_name = n.contact_name, phone = n.phone, siren = n.siren,
    siret = n.siret, vat_number = n.vat_number, credit_limit = n.credit_limit, updated_at = now()
FROM (
    SELECT cur.id,
           COALESCE(s.client_name, cur.name) AS name, COALESCE(s.emails, cur.emails) AS emails,
           COALESCE(s.cc_emails, cur.cc_emails) AS cc_emails, COALESCE(s.locale, cur.locale) AS locale,
           COALESCE(s.profile, cur.profile) AS profile, COALESCE(s.segment, cur.segment) AS segment,
           COALESCE(s.country, cur.country) AS country, COALESCE(s.address_line1, cur.address_line1) AS address_line1,
           COALESCE(s.address_line2, cur.address_line2) AS address_line2, COALESCE(s.postcode, cur.postcode) AS postcode,
           COALESCE(s.city, cur.city) AS city, COALESCE(s.contact_name, cur.contact_name) AS contact_name,
           COALESCE(s.phone, cur.phone) AS phone, COALESCE(s.siren, cur.siren) AS siren,
           COALESCE(s.siret, cur.siret) AS siret, COALESCE(s.vat_number, cur.vat_number) AS vat_number,
           COALESCE(s.credit_limit, cur.credit_limit) AS credit_limit
    FROM batch_client s
    JOIN client cur ON cur.entity_id = $1 AND cur.code = s.client_code
) n
WHERE c.id = n.id
  AND (c.name, c.emails, c.cc_emails, c.locale, c.profile, c.segment, c.country, c.address_line1,
       c.address_line2, c.postcode, c.city, c.contact_name, c.phone, c.siren, c.siret, c.vat_number, c.credit_limit)
      IS DISTINCT FROM
      (n.name, n.emails, n.cc_emails, n.locale, n.profile, n.segment, n.country, n.address_line1,
       n.address_line2, n.postcode, n.city, n.contact_name, n.phone, n.siren, n.siret, n.vat_number, n.credit_limit)
