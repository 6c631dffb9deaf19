-- Claim-declaration tasks for clients $1 due on $2 with notes $3: created,
-- or moved when the publication was corrected (a task done stays as it
-- was). Returns whether each was created.
INSERT INTO task (client_id, kind, due_on, note)
SELECT client_id, 'claim_declaration', due_on, note
FROM unnest($1::bigint[], $2::date[], $3::text[]) AS x(client_id, due_on, note)
ON CONFLICT (client_id, kind) WHERE invoice_id IS NULL
DO UPDATE SET due_on = EXCLUDED.due_on, note = EXCLUDED.note
    WHERE task.done_at IS NULL AND task.due_on <> EXCLUDED.due_on
RETURNING xmax = 0
