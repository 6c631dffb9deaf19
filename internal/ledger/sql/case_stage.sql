-- Records stage $2 (filed, granted, served or enforceable) of case $1 on
-- day $3; a non-empty $4 replaces the reference (the docket number comes
-- with the filing).
UPDATE legal_case SET
    filed_on       = CASE WHEN $2 = 'filed' THEN $3::date ELSE filed_on END,
    granted_on     = CASE WHEN $2 = 'granted' THEN $3::date ELSE granted_on END,
    served_on      = CASE WHEN $2 = 'served' THEN $3::date ELSE served_on END,
    enforceable_on = CASE WHEN $2 = 'enforceable' THEN $3::date ELSE enforceable_on END,
    reference      = coalesce(nullif($4, ''), reference)
WHERE id = $1
