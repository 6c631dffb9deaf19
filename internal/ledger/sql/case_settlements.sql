-- Every settlement of the invoices of case $1 that counts on day $2, dated
-- with the day it counts from (ledger_allocation, migration 00020), for the
-- late-payment interest (it runs on what remained due each day).
SELECT a.invoice_id, a.counted_on, a.amount
FROM ledger_allocation($2) a
JOIN legal_case_invoice ci ON ci.invoice_id = a.invoice_id AND ci.case_id = $1
ORDER BY a.invoice_id, a.counted_on, a.id
