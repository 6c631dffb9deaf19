-- The provisions of entity $1 on day $2: every doubtful invoice whose
-- provision that day is above 0, as provision_due prices it, with the day
-- it was proposed ($2 when the sweep has yet to propose it). $3..$8 as $2..$7
-- in provision_propose.sql.
SELECT c.code, c.name, i.number, i.issue_date, i.due_date, coalesce(p.proposed_on, $2), d.cause, coalesce(d.profile, ''),
       d.currency, d.outstanding_incl_vat, d.outstanding_excl_vat, d.vat_imported, d.days_late, d.bucket, d.rate_bp,
       d.amount, d.tax_deductible
FROM provision_due($2, $3, $4, $5, $6, $7, $8, NULL) d
JOIN client c ON c.id = d.client_id
JOIN invoice i ON i.id = d.invoice_id
LEFT JOIN provision p ON p.id = d.proposal_id
WHERE d.entity_id = $1 AND d.amount > 0
ORDER BY c.code, i.due_date, i.number
