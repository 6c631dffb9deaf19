-- The statement triggers of an insert into invoice, out of the bulk path's
-- insert (batch_invoices_bulk.sql): batch_bulk_fill.sql writes what they
-- would have written, from the table after the insert, and
-- batch_bulk_triggers_on.sql puts them back in the same transaction.
-- Dropped, not disabled: a disabled trigger with a transition table still
-- has every inserted row copied into it (PostgreSQL decides the capture
-- from the triggers a table has, on or off), which cost the insert of a
-- million invoices a quarter of its time and spilled to disk
-- (bench/analysis.md, perf5-first). Their definitions are kept, as the
-- catalog writes them, in invoice_bulk_triggers for batch_bulk_triggers_on.sql.
-- The bulk path holds invoice in ACCESS EXCLUSIVE mode (migration 00130),
-- which DROP TRIGGER needs; no other session sees the change, which a
-- rollback undoes and the transaction reverts before it commits. Named one
-- by one: a trigger added later stays until its write is in the fill
-- (TestBulkPathWritesWhatTheUpsertWrites compares what each path leaves in
-- the tables the triggers write, and the triggers' definitions after).
--
-- Allocation's statement triggers on insert are turned off, whose writes
-- the insert makes itself or that write nothing for it:
-- allocation_counts_insert sets counts_from, which the insert sets as it
-- would; allocation_source_insert clears the source_hash of documents
-- whose allocations did not come from an invoice batch's `paid` or credit
-- notes, and the bulk path inserts no other. Allocation is empty (its
-- invoice_id is a key of the empty invoice), and ledger_invoice_bulk_lock
-- locked it in the mode ALTER TABLE takes here (dropping them would take
-- it from its readers too; its rows are a tenth of invoice's).
CREATE TEMP TABLE invoice_bulk_triggers ON COMMIT DROP AS
SELECT tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger
WHERE tgrelid = 'invoice'::regclass AND tgname IN ('invoice_balance_insert', 'invoice_wake_insert');
DROP TRIGGER invoice_balance_insert ON invoice;
DROP TRIGGER invoice_wake_insert ON invoice;
ALTER TABLE allocation DISABLE TRIGGER allocation_counts_insert, DISABLE TRIGGER allocation_source_insert
