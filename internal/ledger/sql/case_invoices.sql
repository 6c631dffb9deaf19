-- The invoices of cases $1 as of day $2, by case and due date: what was
-- claimed (the outstanding at the end of the opening day), what the case
-- recovered (payments, imported settlements and snapshot closures applied
-- after the opening day, through the closing day and $2) and the
-- outstanding as of $2 (settlements applied after $2 added back).
SELECT ci.case_id, i.id, i.number, i.issue_date, i.due_date, i.amount_incl_vat, ci.claimed,
       coalesce((SELECT sum(a.amount) FROM allocation a
                  WHERE a.invoice_id = i.id AND a.source IN ('payment', 'import', 'snapshot_close')
                    AND a.applied_on > ci.held_from AND a.applied_on <= least(coalesce(ci.held_to, $2), $2)), 0),
       i.outstanding + coalesce((SELECT sum(a.amount) FROM allocation a WHERE a.invoice_id = i.id AND a.applied_on > $2), 0)
FROM legal_case_invoice ci
JOIN invoice i ON i.id = ci.invoice_id
WHERE ci.case_id = ANY ($1)
ORDER BY ci.case_id, i.due_date, i.number
