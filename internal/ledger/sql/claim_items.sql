-- The invoices of client $1 to declare in the insolvency proceeding opened
-- on $2: issued before the opening (a debt born on the judgment's day or
-- later is payable as usual) and unpaid on its eve, each with its unpaid
-- amount then and the settlements applied before the opening (for the
-- interest), by due date.
SELECT x.number, x.issue_date, x.due_date, x.currency, x.amount_incl_vat, x.unpaid, x.days, x.amounts
FROM (
    SELECT i.number, i.issue_date, i.due_date, i.currency::text AS currency, i.amount_incl_vat,
           i.outstanding + coalesce((SELECT sum(a.amount) FROM allocation a
                                      WHERE a.invoice_id = i.id AND a.applied_on >= $2), 0) AS unpaid,
           coalesce(s.days, '{}') AS days, coalesce(s.amounts, '{}') AS amounts
    FROM invoice i
    LEFT JOIN LATERAL (
        SELECT array_agg(a.applied_on ORDER BY a.applied_on, a.id) AS days, array_agg(a.amount ORDER BY a.applied_on, a.id) AS amounts
        FROM allocation a WHERE a.invoice_id = i.id AND a.applied_on < $2) s ON true
    WHERE i.client_id = $1 AND i.kind = 'invoice' AND i.issue_date < $2
) x
WHERE x.unpaid > 0
ORDER BY x.due_date, x.number
