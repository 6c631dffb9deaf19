-- Everything that happened to client $1 (by id), in the order it took
-- effect: invoices, payments, the event trail (disputes, promises, pauses,
-- exclusions, bounces, insolvency, changes: who and why), then the reminders
-- and letters of the day, sent, dropped (why) or failed. $2 is the time
-- zone that dates the few events recorded without a day.
WITH ent AS (
    SELECT en.currency::text AS currency FROM client c JOIN entity en ON en.id = c.entity_id WHERE c.id = $1
)
SELECT day, at, kind, invoices, amount, currency, actor, reason, step, channel, detail FROM (
    SELECT i.issue_date AS day, i.created_at AS at, 1 AS ord,
           CASE i.kind WHEN 'credit_note' THEN 'credit_note' ELSE 'invoice' END AS kind,
           ARRAY[i.number] AS invoices, i.amount_incl_vat AS amount, i.currency::text AS currency,
           coalesce('import:' || b.file_name, 'relance') AS actor, '' AS reason, '' AS step, '' AS channel,
           jsonb_build_object('due_date', i.due_date) AS detail
    FROM invoice i LEFT JOIN import_batch b ON b.id = i.import_batch_id
    WHERE i.client_id = $1
    UNION ALL
    SELECT p.received_on, p.created_at, 2, 'payment',
           CASE WHEN p.invoice_number IS NULL THEN '{}'::text[] ELSE ARRAY[p.invoice_number] END,
           p.amount, p.currency::text, coalesce('import:' || b.file_name, 'relance'), coalesce(p.reference, ''), '', '',
           jsonb_build_object('unallocated', p.unallocated)
    FROM payment p LEFT JOIN import_batch b ON b.id = p.import_batch_id
    WHERE p.client_id = $1
    UNION ALL
    SELECT coalesce(e.day,
                    CASE WHEN e.detail->>'day' ~ '^\d{4}-\d{2}-\d{2}$' THEN (e.detail->>'day')::date END,
                    (e.at AT TIME ZONE $2)::date),
           e.at, 3, e.kind,
           CASE WHEN inv.number IS NOT NULL THEN ARRAY[inv.number]
                WHEN jsonb_typeof(e.detail->'invoices') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(e.detail->'invoices'))
                ELSE '{}'::text[] END,
           CASE WHEN jsonb_typeof(e.detail->'amount') = 'number' THEN (e.detail->>'amount')::bigint END,
           coalesce(inv.currency::text, (SELECT currency FROM ent)),
           e.actor, coalesce(e.reason, e.detail->>'error', ''), '', '', e.detail
    FROM event e LEFT JOIN invoice inv ON inv.id = e.invoice_id
    WHERE e.client_id = $1 AND e.kind <> 'reminder_failed' -- the reminder rows below say it
    UNION ALL
    SELECT r.due_on, max(coalesce(r.sent_at, r.created_at)), 4,
           CASE r.status WHEN 'sent' THEN CASE r.channel WHEN 'registered_letter' THEN 'letter_sent' ELSE 'reminder_sent' END
                         WHEN 'dropped' THEN 'reminder_dropped' WHEN 'failed' THEN 'reminder_failed'
                         ELSE 'reminder_pending' END,
           array_agg(i.number ORDER BY i.number), NULL, min(i.currency::text), 'relance', coalesce(r.drop_reason, ''),
           r.step_id, r.channel, jsonb_build_object('level', r.level)
    FROM reminder r JOIN invoice i ON i.id = r.invoice_id
    WHERE r.client_id = $1 AND r.level >= 0
    GROUP BY r.due_on, r.step_id, r.level, r.channel, r.status, r.drop_reason
) t
ORDER BY day, ord, at, kind
