-- Monthly cohorts: what each month of issue invoiced (month NULL), then what
-- was collected of it in each later month. $1 as-of, $2 window start, $3
-- entity ids (NULL for all).
SELECT t.currency::text, date_trunc('month', t.issue_date)::date AS cohort, NULL::date AS month, sum(t.amount_incl_vat)::bigint
FROM invoice t WHERE t.kind = 'invoice' AND t.issue_date BETWEEN $2 AND $1 AND ($3::bigint[] IS NULL OR t.entity_id = ANY ($3))
GROUP BY 1, 2
UNION ALL
SELECT t.currency::text, date_trunc('month', t.issue_date)::date, date_trunc('month', a.counted_on)::date, sum(a.amount)::bigint
FROM ledger_allocation($1) a JOIN invoice t ON t.id = a.invoice_id
WHERE t.kind = 'invoice' AND t.issue_date BETWEEN $2 AND $1
	AND a.source IN ('payment', 'import', 'snapshot_close') AND ($3::bigint[] IS NULL OR t.entity_id = ANY ($3))
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3 NULLS FIRST
