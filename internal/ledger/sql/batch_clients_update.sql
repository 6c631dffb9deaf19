-- Updates the clients relance already has ($1: the entity) and returns how
-- many it changed. It runs before the insert, so that a field the batch
-- does not say, NULL in staging, never blanks what the client has; a client
-- the batch describes as it is stored is not written at all, unless the
-- hash of what its rows said (said_hash, migration 00200; NULL from a batch
-- of clients) is not the one it keeps: then that hash alone is written,
-- keeping updated_at, and the client is not counted (nor given an event,
-- batch_clients_events.sql).
WITH n AS (
    SELECT v.*,
           (v.name, v.emails, v.cc_emails, v.locale, v.profile, v.segment, v.country, v.address_line1,
            v.address_line2, v.postcode, v.city, v.contact_name, v.phone, v.siren, v.siret, v.vat_number, v.credit_limit)
           IS DISTINCT FROM
           ((v.cur).name, (v.cur).emails, (v.cur).cc_emails, (v.cur).locale, (v.cur).profile, (v.cur).segment,
            (v.cur).country, (v.cur).address_line1, (v.cur).address_line2, (v.cur).postcode, (v.cur).city,
            (v.cur).contact_name, (v.cur).phone, (v.cur).siren, (v.cur).siret, (v.cur).vat_number,
            (v.cur).credit_limit) AS changed,
           v.said_hash IS NOT NULL AND v.said_hash IS DISTINCT FROM (v.cur).said_hash AS rehash
    FROM (
        SELECT cur, cur.id, s.said_hash,
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
    ) v
), u AS (
    UPDATE client c SET
        name = n.name, emails = n.emails, cc_emails = n.cc_emails, locale = n.locale, profile = n.profile,
        segment = n.segment, country = n.country, address_line1 = n.address_line1, address_line2 = n.address_line2,
        postcode = n.postcode, city = n.city, contact_name = n.contact_name, phone = n.phone, siren = n.siren,
        siret = n.siret, vat_number = n.vat_number, credit_limit = n.credit_limit, said_hash = n.said_hash,
        updated_at = CASE WHEN n.changed THEN now() ELSE c.updated_at END
    FROM n
    WHERE c.id = n.id AND (n.changed OR n.rehash)
    RETURNING n.changed
)
SELECT count(*) FILTER (WHERE changed) FROM u
