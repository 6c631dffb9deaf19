-- What invoice's statement triggers on insert write, for the invoices the
-- bulk path inserted with them off ($1: the batch), in one statement over
-- the table instead of over the insert's transition table:
--   - invoice_wake_insert (sweep_wake_new_invoices, migration 00161): a
--     wake row for each new invoice, awake or asleep as sweep_wake_start
--     says;
--   - invoice_balance_insert (ledger_keep_balance, migration 00160): each
--     client's documents raised by the outstanding of its new documents,
--     and the latest issue date raised to theirs.
-- The same statements as the triggers', reading invoice where they read
-- new_rows: keep them in step (TestBulkPathWritesWhatTheUpsertWrites
-- compares sweep_wake, client_balance and ledger_horizon with the upsert's,
-- which the triggers write).
WITH wake AS (
    INSERT INTO sweep_wake (invoice_id, wake_on)
    SELECT id, sweep_wake_start(excluded, outstanding)
    FROM invoice WHERE import_batch_id = $1 AND kind = 'invoice'),
balance AS (
    INSERT INTO client_balance AS b (client_id, documents)
    SELECT client_id, sum(outstanding)::bigint FROM invoice WHERE import_batch_id = $1 AND outstanding <> 0
    GROUP BY client_id HAVING sum(outstanding) <> 0 ORDER BY client_id
    ON CONFLICT (client_id) DO UPDATE SET documents = b.documents + EXCLUDED.documents)
UPDATE ledger_horizon h SET latest_issue = n.latest
FROM (SELECT max(issue_date) AS latest FROM invoice WHERE import_batch_id = $1) n
WHERE n.latest > h.latest_issue
