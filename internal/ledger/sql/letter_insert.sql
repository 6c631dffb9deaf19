-- A letter handed to its channel, recorded by the send worker in the
-- transaction that marks its reminder rows sent. $1 key, $2 client id,
-- $3 reminder ids, $4 step, $5 day, $6 channel, $7 file, $8 manifest,
-- $9 status, $10 provider ref, $11 posted_on, $12 posted_by, $13 copy status,
-- $14 copy Message-ID, $15 copy reason, $16 tracking number. A key already
-- recorded returns no row: the caller reads the letter it names.
INSERT INTO letter (key, entity_id, client_id, reminder_ids, step_id, day, channel, file_path, manifest, status,
                    provider_ref, posted_on, posted_by, copy_status, copy_message_id, copy_reason, tracking_number)
SELECT $1, c.entity_id, c.id, $3, $4, $5, $6, $7, $8, $9, nullif($10, ''), $11, nullif($12, ''), $13, nullif($14, ''), nullif($15, ''),
       nullif($16, '')
FROM client c
WHERE c.id = $2
ON CONFLICT (key) DO NOTHING
RETURNING id, (SELECT coalesce(array_agg(i.number ORDER BY i.number), '{}')
               FROM reminder r JOIN invoice i ON i.id = r.invoice_id WHERE r.id = ANY ($3))
