-- Invoices and credit notes of client $2 in entity $1, by due date; only
-- open ones when $3. With $4, only the invoice numbered $4, whatever $2
-- and $3 say. xmin is the row's version: every update of the row changes
-- it.
SELECT i.id, i.number, c.code, i.kind, i.issue_date, i.due_date, i.currency::text, i.amount_incl_vat, i.outstanding,
       coalesce(a.number, ''), i.excluded, i.closed_on, i.xmin::text::bigint
FROM invoice i
JOIN client c ON c.id = i.client_id
LEFT JOIN invoice a ON a.id = i.applies_to_id
WHERE i.entity_id = $1
  AND CASE WHEN $4::text IS NULL THEN c.code = $2 AND (NOT $3 OR i.outstanding <> 0) ELSE i.number = $4 END
ORDER BY i.due_date, i.number
