-- Disputes open on day $1 for more than $2 days (disputes.alert_after):
-- one alert per dispute (key dispute:<id>), dated the day it passed the
-- limit.
WITH raised AS (
    INSERT INTO event (kind, client_id, invoice_id, detail, actor, reason, day)
    SELECT 'alert_dispute_overdue', i.client_id, i.id,
           jsonb_build_object('key', 'dispute:' || d.id, 'dispute_id', d.id, 'entity', e.code, 'client', c.code,
                              'client_name', c.name, 'invoice', i.number, 'dispute_reason', d.reason,
                              'opened', d.opened_on, 'days', $1::date - d.opened_on, 'limit_days', $2::int,
                              'outstanding', i.outstanding, 'currency', i.currency),
           'relance', d.reason, $1::date
    FROM dispute d
    JOIN invoice i ON i.id = d.invoice_id
    JOIN client c ON c.id = i.client_id
    JOIN entity e ON e.id = i.entity_id
    WHERE d.resolved_on IS NULL AND (d.until IS NULL OR d.until >= $1)
      AND d.opened_on < $1::date - $2::int
    ORDER BY d.id
    ON CONFLICT (kind, (detail ->> 'key')) WHERE kind LIKE 'alert\_%' DO NOTHING
    RETURNING kind
)
SELECT kind, count(*) FROM raised GROUP BY kind
