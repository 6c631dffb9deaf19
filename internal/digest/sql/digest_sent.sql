-- Records the digest of entity $1 for day $2: to whom ($3), the alerts it
-- listed (how many, $4, and the last one's id, $5, where the next digest
-- starts) and its Message-ID ($6).
INSERT INTO event (kind, detail, actor, day)
VALUES ('digest_sent', jsonb_build_object('entity', $1::text, 'to', $3::text[], 'alerts', $4::int,
                                          'last_alert', $5::bigint, 'message_id', $6::text), 'relance', $2)
