-- Why relance paused the send queue: $1 the queue's paused_at (by which a
-- later start knows the pause is relance's own), $2 the refusals in a row,
-- $3 the last one.
INSERT INTO event (kind, reason, detail)
VALUES ('send_queue_paused', 'relay_refused',
        jsonb_build_object('paused_at', $1::timestamptz, 'refusals', $2::int, 'error', $3::text))
