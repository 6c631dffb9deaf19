-- Disputes opened with an end (`until`) that passed before day $1 resume
-- their invoice by themselves: they are closed on the day after `until`,
-- with outcome 'lapsed', by the engine, and the event trail says so. $2
-- limits it to some invoices (NULL: all). The sweep holds a dispute only
-- through `until` anyway; closing it lets a new one be opened and shows
-- it closed in lists.
WITH lapsed AS (
    UPDATE dispute d SET resolved_on = d.until + 1, outcome = 'lapsed', resolved_by = 'relance'
    WHERE d.resolved_on IS NULL AND d.until < $1 AND ($2::bigint[] IS NULL OR d.invoice_id = ANY ($2))
    RETURNING d.id, d.invoice_id, d.reason, d.until
), events AS (
    INSERT INTO event (kind, client_id, invoice_id, detail, actor, reason, day)
    SELECT 'dispute_lapsed', i.client_id, l.invoice_id, jsonb_build_object('dispute_id', l.id, 'until', l.until),
           'relance', l.reason, l.until + 1
    FROM lapsed l JOIN invoice i ON i.id = l.invoice_id
)
SELECT count(*) FROM lapsed
