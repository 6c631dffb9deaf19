-- Monthly sales (invoices only) and net sales (credit notes netted) of the
-- KPI window: $1 the as-of date, $2 the window's first day, $3 the entity ids
-- (NULL for all).
SELECT t.currency::text, date_trunc('month', t.issue_date)::date,
	COALESCE(sum(t.amount_incl_vat) FILTER (WHERE t.kind = 'invoice'), 0)::bigint,
	sum(t.amount_incl_vat)::bigint
FROM invoice t WHERE t.issue_date BETWEEN $2 AND $1 AND ($3::bigint[] IS NULL OR t.entity_id = ANY ($3))
GROUP BY 1, 2
