-- Entities (creditor companies), all of them ($1 NULL) or the one coded $1.
SELECT e.id, e.code, e.name, coalesce(p.code, ''), e.country, e.locale, e.currency::text,
       coalesce(e.address_line1, ''), coalesce(e.address_line2, ''), coalesce(e.postcode, ''), coalesce(e.city, ''),
       coalesce(e.siren, ''), coalesce(e.vat_number, ''), coalesce(e.iban, ''), coalesce(e.bic, ''),
       coalesce(e.email, ''), coalesce(e.phone, ''), e.letter_channel
FROM entity e
LEFT JOIN entity p ON p.id = e.parent_id
WHERE $1::text IS NULL OR e.code = $1
ORDER BY e.code
