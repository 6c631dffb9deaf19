-- The invoices a case opened on day $4 for client $2 of entity $1 would
-- take, locked, in request order: those numbered $3 (unknown ones left
-- out), or, when $3 is empty, every invoice of the client overdue on $4
-- with something outstanding that no open case holds, by due date. Each
-- with what the checks need: its client, kind, dates, currency, amount,
-- its outstanding as of $4 (what does not count yet on $4 added back:
-- ledger_late_allocation, migration 00020) and the open case holding it, if
-- any.
WITH picked AS (
    SELECT i.id, r.n
    FROM unnest($3::text[]) WITH ORDINALITY AS r(number, n)
    JOIN invoice i ON i.entity_id = $1 AND i.number = r.number
    UNION ALL
    SELECT i.id, row_number() OVER (ORDER BY i.due_date, i.number)
    FROM invoice i
    WHERE cardinality($3::text[]) = 0 AND i.client_id = $2 AND i.kind = 'invoice'
      AND i.issue_date <= $4 AND i.due_date < $4
      AND i.outstanding + coalesce((SELECT sum(la.amount) FROM ledger_late_allocation($4) la WHERE la.invoice_id = i.id), 0) > 0
      AND NOT EXISTS (SELECT 1 FROM legal_case_invoice ci WHERE ci.invoice_id = i.id AND ci.held_to IS NULL)
)
SELECT p.n, i.id, i.number, i.client_id, c.code, i.kind, i.issue_date, i.due_date, i.currency::text,
       i.outstanding + coalesce((SELECT sum(la.amount) FROM ledger_late_allocation($4) la WHERE la.invoice_id = i.id), 0),
       ci.case_id, ci.held_from
FROM picked p
JOIN invoice i ON i.id = p.id
JOIN client c ON c.id = i.client_id
LEFT JOIN legal_case_invoice ci ON ci.invoice_id = i.id AND ci.held_to IS NULL
ORDER BY p.n
FOR UPDATE OF i
