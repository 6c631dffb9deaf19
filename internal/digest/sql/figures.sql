-- The figures of entity $1 over the days $2 to $3 (inclusive), and the
-- messages the sweep of day $4 decided:
--   sent      messages sent, by the level of the highest step each carried
--             (0: pre-due notice), one per client, day and channel;
--   letters   registered letters (formal notices) handed to their channel,
--             from the letter table (a letter that could not be produced,
--             for want of a postal address, is not one);
--   waiting   the letters still in the outbox for a person to post, by day $4;
--   disputes  disputes opened, and the outstanding they hold;
--   collected payments received plus the `paid` settlements imports
--             recorded, by currency;
--   today     the day's messages by level (letters apart), sent or not yet.
WITH sent AS (
    SELECT r.channel, max(r.level) AS level
    FROM reminder r JOIN invoice i ON i.id = r.invoice_id
    WHERE i.entity_id = $1 AND r.status = 'sent' AND r.sent_on BETWEEN $2 AND $3 AND r.level >= 0
      AND r.channel <> 'registered_letter'
    GROUP BY r.client_id, r.sent_on, r.channel, r.message_id
), today AS (
    SELECT r.channel, max(r.level) AS level
    FROM reminder r JOIN invoice i ON i.id = r.invoice_id
    WHERE i.entity_id = $1 AND r.due_on = $4 AND r.level >= 0 AND r.status IN ('pending', 'sent')
    GROUP BY r.client_id, r.channel, i.currency
), collected AS (
    SELECT currency::text AS currency, sum(amount) AS amount FROM (
        SELECT p.currency, p.amount FROM payment p WHERE p.entity_id = $1 AND p.received_on BETWEEN $2 AND $3
        UNION ALL
        SELECT i.currency, a.amount FROM allocation a JOIN invoice i ON i.id = a.invoice_id
        WHERE i.entity_id = $1 AND a.source = 'import' AND a.applied_on BETWEEN $2 AND $3
    ) x GROUP BY currency
)
SELECT
    (SELECT coalesce(array_agg(level ORDER BY level), '{}') FROM sent),
    (SELECT count(*) FROM letter l WHERE l.entity_id = $1 AND l.day BETWEEN $2 AND $3),
    (SELECT count(*) FROM letter l WHERE l.entity_id = $1 AND l.status = 'ready' AND l.day <= $4),
    (SELECT count(*) FROM dispute d JOIN invoice i ON i.id = d.invoice_id
     WHERE i.entity_id = $1 AND d.opened_on BETWEEN $2 AND $3),
    (SELECT coalesce(array_agg(currency ORDER BY currency), '{}') FROM collected),
    (SELECT coalesce(array_agg(amount ORDER BY currency), '{}') FROM collected),
    (SELECT coalesce(array_agg(level ORDER BY level), '{}') FROM today WHERE channel <> 'registered_letter'),
    (SELECT count(*) FROM today WHERE channel = 'registered_letter')
