-- Credit limits crossed upward, evaluated after a batch, set-based over the
-- clients $2 of entity $1 (NULL: every client of the entity). A client's
-- usage is its net balance in the entity's currency (open items less
-- unapplied credits) against its credit_limit; the thresholds are 50, 70, 90
-- and 100 %. Each client whose usage reached a threshold above the one it
-- was last alerted for (credit_alert_pct) gets one alert_credit_limit event
-- naming the highest threshold reached and those crossed on the way; a
-- usage that fell re-arms the thresholds above it, so each alerts once per
-- crossing upward. $3 actor, $4 day, $5 the batch. Returns the alerts raised.
WITH listed AS (
    -- The clients to look at, each once: every client of the entity ($2
    -- NULL), or those of $2 (a client listed twice would have its balance
    -- summed twice). Joined below, not `$2 IS NULL OR c.id IN (SELECT
    -- unnest($2))`: under an OR the list is a subplan, hashed only while
    -- PostgreSQL thinks it fits in work_mem, and past that rescanned for
    -- each client of the entity (an import touches 100,000 clients at 1M).
    SELECT c.id FROM client c WHERE $2::bigint[] IS NULL AND c.entity_id = $1
    UNION ALL
    SELECT DISTINCT unnest($2::bigint[])
), watched AS (
    SELECT c.id, c.code, c.name, c.credit_limit, c.credit_alert_pct, e.code AS entity, e.currency::text AS currency
    FROM listed l
    JOIN client c ON c.id = l.id
    JOIN entity e ON e.id = c.entity_id
    WHERE c.entity_id = $1 AND (c.credit_limit IS NOT NULL OR c.credit_alert_pct > 0)
), open_items AS (
    SELECT i.client_id, sum(i.outstanding) AS amount
    FROM invoice i JOIN watched w ON w.id = i.client_id AND i.currency = w.currency
    WHERE i.outstanding <> 0
    GROUP BY i.client_id
), credits AS (
    SELECT p.client_id, sum(p.unallocated) AS amount
    FROM payment p JOIN watched w ON w.id = p.client_id AND p.currency = w.currency
    WHERE p.unallocated <> 0
    GROUP BY p.client_id
), usage AS (
    SELECT w.*, coalesce(o.amount, 0) - coalesce(cr.amount, 0) AS balance
    FROM watched w
    LEFT JOIN open_items o ON o.client_id = w.id
    LEFT JOIN credits cr ON cr.client_id = w.id
), level AS (
    SELECT u.*,
           coalesce((SELECT max(t) FROM unnest(ARRAY[50, 70, 90, 100]) t
                     WHERE u.credit_limit IS NOT NULL AND u.balance > 0
                       AND u.balance::numeric * 100 >= u.credit_limit::numeric * t), 0)::smallint AS pct
    FROM usage u
), moved AS (
    UPDATE client c SET credit_alert_pct = l.pct
    FROM level l WHERE c.id = l.id AND c.credit_alert_pct <> l.pct
), raised AS (
    INSERT INTO event (kind, client_id, detail, actor, reason, day)
    SELECT 'alert_credit_limit', l.id,
           jsonb_build_object('key', 'credit:' || l.id || ':' || l.pct || ':' || $5::bigint,
                              'entity', l.entity, 'client', l.code, 'client_name', l.name,
                              'threshold', l.pct,
                              'crossed', (SELECT jsonb_agg(t ORDER BY t) FROM unnest(ARRAY[50, 70, 90, 100]) t
                                          WHERE t > l.credit_alert_pct AND t <= l.pct),
                              'balance', l.balance, 'credit_limit', l.credit_limit, 'currency', l.currency,
                              'batch', $5::bigint),
           $3, 'credit limit ' || l.pct || '% reached', $4
    FROM level l
    WHERE l.pct > l.credit_alert_pct
    ON CONFLICT (kind, (detail ->> 'key')) WHERE kind LIKE 'alert\_%' DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM raised
