-- The invoices of cases $1 as of day $2, by case and due date: what was
-- claimed (the outstanding at the end of the opening day), what the case
-- recovered (payments, imported settlements and snapshot closures counting
-- after the opening day, through the closing day and $2) and the
-- outstanding as of $2. Both read the ledger as of a day (migration 00020:
-- ledger_allocation dates each settlement with the day it counts from,
-- ledger_late_allocation adds back what does not count yet), through the
-- invoice's index.
SELECT ci.case_id, i.id, i.number, i.issue_date, i.due_date, i.amount_incl_vat, ci.claimed,
       coalesce((SELECT sum(a.amount) FROM ledger_allocation($2) a
                  WHERE a.invoice_id = i.id AND a.source IN ('payment', 'import', 'snapshot_close')
                    AND a.counted_on > ci.held_from AND (ci.held_to IS NULL OR a.counted_on <= ci.held_to)), 0),
       i.outstanding + coalesce((SELECT sum(la.amount) FROM ledger_late_allocation($2) la WHERE la.invoice_id = i.id), 0)
FROM legal_case_invoice ci
JOIN invoice i ON i.id = ci.invoice_id
WHERE ci.case_id = ANY ($1)
ORDER BY ci.case_id, i.due_date, i.number
