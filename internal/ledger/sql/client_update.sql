-- Every field a person may set on client $1 (by id).
UPDATE client
SET name = $2, country = $3, address_line1 = nullif($4, ''), address_line2 = nullif($5, ''),
    postcode = nullif($6, ''), city = nullif($7, ''), contact_name = nullif($8, ''), phone = nullif($9, ''),
    emails = $10, cc_emails = $11, siren = nullif($12, ''), siret = nullif($13, ''), vat_number = nullif($14, ''),
    credit_limit = $15, segment = nullif($16, ''), profile = nullif($17, ''), locale = nullif($18, ''),
    updated_at = now()
WHERE id = $1
