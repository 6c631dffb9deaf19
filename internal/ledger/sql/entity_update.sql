-- Every field of the entity $1 (by id). $3 is the parent's code ('' for none).
UPDATE entity e
SET name = $2, parent_id = (SELECT p.id FROM entity p WHERE p.code = $3 AND $3 <> ''),
    country = $4, locale = $5, currency = $6,
    address_line1 = nullif($7, ''), address_line2 = nullif($8, ''), postcode = nullif($9, ''), city = nullif($10, ''),
    siren = nullif($11, ''), vat_number = nullif($12, ''), iban = nullif($13, ''), bic = nullif($14, ''),
    email = nullif($15, ''), phone = nullif($16, ''), letter_channel = $17, updated_at = now()
WHERE e.id = $1
