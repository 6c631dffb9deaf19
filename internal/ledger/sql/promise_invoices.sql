-- The invoices a promise made on day $3 covers, locked: invoice $1 alone, or
-- (when $1 is NULL) every invoice of client $2 overdue on $3. Each with its
-- outstanding as of $3 (what does not count yet on $3 added back:
-- ledger_late_allocation) and the promise already holding it on $3, if any.
SELECT i.id, i.number, i.client_id, c.code, i.kind, i.issue_date, i.due_date, i.currency::text,
       i.outstanding + coalesce((SELECT sum(a.amount) FROM ledger_late_allocation($3) a WHERE a.invoice_id = i.id), 0),
       (SELECT max(p.until) FROM promise p
         WHERE p.invoice_id = i.id AND p.promised_on <= $3 AND p.until >= $3 AND (p.settled_on IS NULL OR p.settled_on > $3))
FROM invoice i
JOIN client c ON c.id = i.client_id
WHERE (i.id = $1 OR ($1::bigint IS NULL AND i.client_id = $2 AND i.kind = 'invoice' AND i.issue_date <= $3 AND i.due_date < $3
       AND i.outstanding + coalesce((SELECT sum(a.amount) FROM ledger_late_allocation($3) a WHERE a.invoice_id = i.id), 0) > 0))
ORDER BY i.due_date, i.number
FOR UPDATE OF i
