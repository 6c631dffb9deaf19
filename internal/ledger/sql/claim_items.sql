-- The invoices of client $1 to declare in the insolvency proceeding opened
-- on $2: issued before the opening (a debt born on the judgment's day or
-- later is payable as usual) and unpaid on its eve, each with its unpaid
-- amount then and the settlements that counted by then, dated with the day
-- each counts from (for the interest), by due date. "On its eve" is the
-- ledger as of $2 − 1 (migration 00020): ledger_late_allocation adds back
-- what did not count yet, ledger_allocation gives what did, both read
-- through the invoice's index (an opening may be years old).
SELECT x.number, x.issue_date, x.due_date, x.currency, x.amount_incl_vat, x.unpaid, x.days, x.amounts
FROM (
    SELECT i.number, i.issue_date, i.due_date, i.currency::text AS currency, i.amount_incl_vat,
           i.outstanding + coalesce((SELECT sum(la.amount) FROM ledger_late_allocation($2::date - 1) la
                                      WHERE la.invoice_id = i.id), 0) AS unpaid,
           coalesce(s.days, '{}') AS days, coalesce(s.amounts, '{}') AS amounts
    FROM invoice i
    LEFT JOIN LATERAL (
        SELECT array_agg(a.counted_on ORDER BY a.counted_on, a.id) AS days, array_agg(a.amount ORDER BY a.counted_on, a.id) AS amounts
        FROM ledger_allocation($2::date - 1) a WHERE a.invoice_id = i.id) s ON true
    WHERE i.client_id = $1 AND i.kind = 'invoice' AND i.issue_date < $2
) x
WHERE x.unpaid > 0
ORDER BY x.due_date, x.number
