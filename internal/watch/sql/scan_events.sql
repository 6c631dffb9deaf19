-- Alerts drawn from what the engine and the ledger already record, for
-- events since $1: a bounce (email_bounced), a broken promise
-- (promise_broken), the send queue paused after refusals of ours
-- (send_queue_paused), a send job that died or a message that could not be
-- produced (reminder_undelivered, reminder_failed), a registered letter
-- the provider reports refused by the debtor or undeliverable
-- (letter_refused, letter_failed: the formal notice may need another
-- address, or a bailiff), and an insolvency proceeding an import found
-- (insolvency_recorded by an import: actor).
-- One alert per source event (key event:<id>); the source's detail is
-- kept, with the entity and client it concerns.
WITH source AS (
    SELECT s.id, s.client_id, s.detail, s.reason, s.day, s.at,
           CASE s.kind
               WHEN 'email_bounced' THEN 'alert_bounce'
               WHEN 'promise_broken' THEN 'alert_promise_broken'
               WHEN 'send_queue_paused' THEN 'alert_send_queue_paused'
               WHEN 'reminder_undelivered' THEN 'alert_job_failed'
               WHEN 'reminder_failed' THEN 'alert_job_failed'
               WHEN 'insolvency_recorded' THEN 'alert_insolvency'
               WHEN 'letter_refused' THEN 'alert_letter_returned'
               WHEN 'letter_failed' THEN 'alert_letter_returned'
           END AS alert,
           s.kind AS source_kind
    FROM event s
    WHERE s.at >= $1
      AND (s.kind IN ('email_bounced', 'promise_broken', 'send_queue_paused', 'reminder_undelivered', 'reminder_failed',
                      'letter_refused', 'letter_failed')
           OR (s.kind = 'insolvency_recorded' AND s.actor LIKE 'import:%'))
), raised AS (
    INSERT INTO event (kind, client_id, detail, actor, reason, day)
    SELECT s.alert, s.client_id,
           s.detail || jsonb_build_object('key', 'event:' || s.id, 'source', s.source_kind, 'source_id', s.id)
                    || CASE WHEN c.id IS NULL THEN '{}'::jsonb
                            ELSE jsonb_build_object('entity', e.code, 'client', c.code, 'client_name', c.name) END,
           'relance', s.reason, coalesce(s.day, (s.at AT TIME ZONE $2)::date)
    FROM source s
    LEFT JOIN client c ON c.id = s.client_id
    LEFT JOIN entity e ON e.id = c.entity_id
    ORDER BY s.id
    ON CONFLICT (kind, (detail ->> 'key')) WHERE kind LIKE 'alert\_%' DO NOTHING
    RETURNING kind
)
SELECT kind, count(*) FROM raised GROUP BY kind
