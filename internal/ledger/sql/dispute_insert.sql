-- Opens one dispute per request on day $6 by actor $7, and records each in
-- the event trail (reason: the reason code). The caller has checked every
-- request. $1 invoice ids, $2 client ids, $3 reason codes, $4 notes, $5 untils.
WITH req AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::date[])
        AS r(invoice_id, client_id, reason, note, until)
), opened AS (
    INSERT INTO dispute (invoice_id, reason, note, opened_on, until, opened_by)
    SELECT invoice_id, reason, nullif(note, ''), $6, until, $7 FROM req
    RETURNING id, invoice_id, reason, note, until
), events AS (
    INSERT INTO event (kind, client_id, invoice_id, detail, actor, reason, day)
    SELECT 'dispute_opened', r.client_id, o.invoice_id,
           jsonb_strip_nulls(jsonb_build_object('dispute_id', o.id, 'note', o.note, 'until', o.until)), $7, o.reason, $6
    FROM opened o JOIN req r ON r.invoice_id = o.invoice_id
)
SELECT id, invoice_id FROM opened
