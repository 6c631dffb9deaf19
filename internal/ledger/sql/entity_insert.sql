-- A new entity. $3 is the parent's code ('' for none); it must exist.
INSERT INTO entity (code, name, parent_id, country, locale, currency, address_line1, address_line2, postcode, city,
                    siren, vat_number, iban, bic, email, phone, letter_channel)
SELECT $1, $2, p.id, $4, $5, $6, nullif($7, ''), nullif($8, ''), nullif($9, ''), nullif($10, ''),
       nullif($11, ''), nullif($12, ''), nullif($13, ''), nullif($14, ''), nullif($15, ''), nullif($16, ''), $17
FROM (SELECT 1) one
LEFT JOIN entity p ON p.code = $3
WHERE $3 = '' OR p.id IS NOT NULL
RETURNING id
