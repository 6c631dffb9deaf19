-- Every settlement of the invoices of case $1 applied up to day $2, dated,
-- for the late-payment interest (it runs on what remained due each day).
SELECT a.invoice_id, a.applied_on, a.amount
FROM allocation a
JOIN legal_case_invoice ci ON ci.invoice_id = a.invoice_id AND ci.case_id = $1
WHERE a.applied_on <= $2
ORDER BY a.invoice_id, a.applied_on, a.id
