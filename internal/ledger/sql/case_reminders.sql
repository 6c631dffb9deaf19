-- The messages and letters sent about the invoices of case $1 up to day $2,
-- oldest first: one row per message (day, step, channel) with the case's
-- invoices it listed, from the reminder ledger.
SELECT r.due_on, r.step_id, r.level, r.channel, array_agg(i.number ORDER BY i.due_date, i.number), min(r.sent_at)
FROM reminder r
JOIN legal_case_invoice ci ON ci.invoice_id = r.invoice_id AND ci.case_id = $1
JOIN invoice i ON i.id = r.invoice_id
WHERE r.status = 'sent' AND r.level >= 0 AND r.due_on <= $2
GROUP BY r.due_on, r.step_id, r.level, r.channel
ORDER BY r.due_on, r.level, r.step_id
