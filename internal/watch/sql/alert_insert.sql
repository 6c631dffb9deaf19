-- Raises one alert: an event of kind $1 (alert_*), once per occurrence
-- ($2->>'key'); a second raise of the same occurrence does nothing. $3
-- client id (NULL: none), $4 actor, $5 reason, $6 day. Returns the event's
-- id when it was raised now.
INSERT INTO event (kind, client_id, detail, actor, reason, day)
VALUES ($1, $3, $2, $4, $5, $6)
ON CONFLICT (kind, (detail ->> 'key')) WHERE kind LIKE 'alert\_%' DO NOTHING
RETURNING id
