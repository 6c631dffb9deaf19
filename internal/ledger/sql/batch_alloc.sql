-- The allocations a batch is about to record, one kind at a time: each
-- batch_alloc_*.sql statement fills it, batch_settle.sql records and empties
-- it.
CREATE TEMP TABLE batch_alloc (invoice_id bigint, credit_note_id bigint, amount bigint) ON COMMIT DROP
