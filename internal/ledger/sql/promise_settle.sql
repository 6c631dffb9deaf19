-- Decides, for day $1, every open promise: kept as soon as what was promised
-- is paid (settled_on: the day the payments reached it), broken once its
-- `until` passed without that (settled_on: until + 1). Set-based, for every
-- entity, at the start of each sweep. It reads only settlements dated by $1
-- and by `until`, so the outcome depends on the data, not on when sweeps
-- ran, and a replay of an earlier day still sees the promise holding (the
-- sweep holds a promise while settled_on > D).
--   - a promise on an invoice is judged on that invoice's settlements from
--     the day it was made through `until`;
--   - a promise for a whole client (scope 'client', rows sharing client_id and
--     created_at) on the client's payments received in that window.
-- Each kept or broken promise leaves one event (actor 'relance').
WITH open_invoice AS (
    SELECT p.id, p.until,
           coalesce(p.amount, i.outstanding + coalesce((SELECT sum(a.amount) FROM allocation a
                                                         WHERE a.invoice_id = i.id AND a.applied_on >= p.promised_on), 0)) AS amount,
           p.invoice_id, p.promised_on
    FROM promise p JOIN invoice i ON i.id = p.invoice_id
    WHERE p.status = 'open' AND p.scope = 'invoice' AND p.promised_on <= $1
), invoice_paid AS (
    SELECT o.id, a.applied_on AS day, o.amount,
           sum(a.amount) OVER (PARTITION BY o.id ORDER BY a.applied_on, a.id) AS paid
    FROM open_invoice o
    JOIN allocation a ON a.invoice_id = o.invoice_id AND a.applied_on >= o.promised_on AND a.applied_on <= least(o.until, $1)
), open_client AS (
    SELECT DISTINCT p.client_id, p.created_at, p.promised_on, p.until, p.amount
    FROM promise p
    WHERE p.status = 'open' AND p.scope = 'client' AND p.promised_on <= $1
), client_paid AS (
    SELECT o.client_id, o.created_at, pay.received_on AS day, o.amount,
           sum(pay.amount) OVER (PARTITION BY o.client_id, o.created_at ORDER BY pay.received_on, pay.id) AS paid
    FROM open_client o
    JOIN payment pay ON pay.client_id = o.client_id AND pay.received_on >= o.promised_on AND pay.received_on <= least(o.until, $1)
), kept AS (
    SELECT p.id, min(x.day) AS day
    FROM invoice_paid x JOIN promise p ON p.id = x.id
    WHERE x.paid >= x.amount
    GROUP BY p.id
    UNION ALL
    SELECT p.id, min(x.day)
    FROM client_paid x JOIN promise p ON p.client_id = x.client_id AND p.created_at = x.created_at AND p.scope = 'client' AND p.status = 'open'
    WHERE x.paid >= coalesce(x.amount, 0)
    GROUP BY p.id
), decided AS (
    SELECT p.id, k.day AS kept_on
    FROM promise p LEFT JOIN kept k ON k.id = p.id
    WHERE p.status = 'open' AND p.promised_on <= $1 AND (k.id IS NOT NULL OR p.until < $1)
), settled AS (
    UPDATE promise p
    SET status = CASE WHEN d.kept_on IS NOT NULL THEN 'kept' ELSE 'broken' END,
        settled_on = coalesce(d.kept_on, p.until + 1)
    FROM decided d WHERE p.id = d.id
    RETURNING p.id, p.client_id, p.invoice_id, p.scope, p.created_at, p.status, p.settled_on, p.pay_by, p.until, p.amount
), grouped AS (  -- a client promise is one event, however many invoices it covers
    SELECT s.client_id, CASE WHEN s.scope = 'invoice' THEN s.invoice_id END AS invoice_id, s.status, s.settled_on,
           s.pay_by, s.amount, s.scope, array_agg(i.number ORDER BY i.number) AS invoices, min(s.id) AS promise_id
    FROM settled s JOIN invoice i ON i.id = s.invoice_id
    GROUP BY s.client_id, CASE WHEN s.scope = 'invoice' THEN s.invoice_id END, s.created_at, s.status, s.settled_on,
             s.pay_by, s.amount, s.scope
), events AS (
    INSERT INTO event (kind, client_id, invoice_id, detail, actor, reason, day)
    SELECT 'promise_' || g.status, g.client_id, g.invoice_id,
           jsonb_build_object('promise_id', g.promise_id, 'scope', g.scope, 'pay_by', g.pay_by, 'amount', g.amount,
                              'invoices', g.invoices),
           'relance',
           CASE g.status WHEN 'broken' THEN 'not paid by ' || g.pay_by ELSE 'paid' END,
           g.settled_on
    FROM grouped g
)
SELECT count(*) FILTER (WHERE status = 'kept'), count(*) FILTER (WHERE status = 'broken') FROM grouped
