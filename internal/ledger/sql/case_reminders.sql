-- The messages and letters sent about the invoices of case $1 up to day $2,
-- oldest first: one row per message (day, step, channel) with the case's
-- invoices it listed, from the reminder ledger; for a registered letter,
-- what the letter table knows of it by day $2: the day it was posted (the
-- provider's deposit, else the posting a person recorded or the provider's
-- acceptance), its tracking number, and its outcome (refused, undeliverable
-- or delivered) with that day and the provider's reason.
WITH sent AS (
    SELECT r.due_on, r.step_id, r.level, r.channel,
           array_agg(i.number ORDER BY i.due_date, i.number) AS numbers, min(r.sent_at) AS sent_at,
           min(r.client_id) AS client_id, array_agg(r.id) AS reminder_ids
    FROM reminder r
    JOIN legal_case_invoice ci ON ci.invoice_id = r.invoice_id AND ci.case_id = $1
    JOIN invoice i ON i.id = r.invoice_id
    WHERE r.status = 'sent' AND r.level >= 0 AND r.due_on <= $2
    GROUP BY r.due_on, r.step_id, r.level, r.channel
)
SELECT s.due_on, s.step_id, s.level, s.channel, s.numbers, s.sent_at,
       l.posted_on, CASE WHEN l.posted_on IS NOT NULL THEN coalesce(l.tracking_number, '') ELSE '' END,
       coalesce(l.outcome, ''), l.outcome_on, CASE WHEN l.outcome IS NOT NULL THEN coalesce(l.outcome_reason, '') ELSE '' END
FROM sent s
LEFT JOIN LATERAL (
    SELECT CASE WHEN l.deposited_on <= $2 THEN l.deposited_on WHEN l.posted_on <= $2 THEN l.posted_on END AS posted_on,
           l.tracking_number, l.outcome_reason,
           CASE WHEN l.refused_on <= $2 THEN 'refused' WHEN l.failed_on <= $2 THEN 'failed'
                WHEN l.delivered_on <= $2 THEN 'delivered' END AS outcome,
           CASE WHEN l.refused_on <= $2 THEN l.refused_on WHEN l.failed_on <= $2 THEN l.failed_on
                WHEN l.delivered_on <= $2 THEN l.delivered_on END AS outcome_on
    FROM letter l
    WHERE l.client_id = s.client_id AND l.reminder_ids && s.reminder_ids
    ORDER BY l.id
    LIMIT 1
) l ON s.channel = 'registered_letter'
ORDER BY s.due_on, s.level, s.step_id
