-- The send queue ($1) as River has it, with relance's last pause event: the
-- pause is relance's own when the event's paused_at is the queue's.
SELECT q.paused_at, (e.detail ->> 'paused_at')::timestamptz, e.detail ->> 'error', (e.detail ->> 'refusals')::int
FROM (SELECT $1::text AS name) n
LEFT JOIN river_queue q ON q.name = n.name
LEFT JOIN LATERAL (SELECT detail FROM event WHERE kind = 'send_queue_paused' ORDER BY id DESC LIMIT 1) e ON true
