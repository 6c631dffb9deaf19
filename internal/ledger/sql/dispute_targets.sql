-- The invoices of entity $1 numbered $2 (in request order, missing ones
-- left out), locked, with what opening a dispute on day $3 must check: the
-- kind, the issue date, the outstanding as of $3 (what does not count yet
-- on $3 added back: ledger_late_allocation) and the dispute still open on
-- it, if any.
SELECT r.n, i.id, i.client_id, c.code, i.kind, i.issue_date, i.currency::text,
       i.outstanding + coalesce((SELECT sum(a.amount) FROM ledger_late_allocation($3) a WHERE a.invoice_id = i.id), 0),
       d.id, d.opened_on, d.until, d.reason
FROM unnest($2::text[]) WITH ORDINALITY AS r(number, n)
JOIN invoice i ON i.entity_id = $1 AND i.number = r.number
JOIN client c ON c.id = i.client_id
LEFT JOIN dispute d ON d.invoice_id = i.id AND d.resolved_on IS NULL
ORDER BY r.n
FOR UPDATE OF i
