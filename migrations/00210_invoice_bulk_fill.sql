-- +goose Up
-- The bulk path of a first import (migration 00130) inserts with invoice's
-- statement triggers on insert off (invoice_balance_insert, migration 00160;
-- invoice_wake_insert, migration 00161: ledger/sql/batch_bulk_triggers_off.sql)
-- and writes what they would have written after its insert, from the table,
-- here. Filling their transition table with a million rows and writing
-- sweep_wake from it, an index entry at a time in its two indexes, cost a
-- third of the insert; sweep_wake is written here without its indexes,
-- which are then built in one sort each.
--
-- Adds ledger_invoice_bulk_lock and ledger_invoice_bulk_fill. Replaces no
-- function: neither 00130's nor any trigger function of migrations 00160,
-- 00161 or 00170.

-- The tables the bulk path writes besides invoice in a way that needs a
-- stronger lock than a write: sweep_wake, whose indexes
-- ledger_invoice_bulk_fill drops and rebuilds, and allocation, whose
-- statement triggers on insert are off for the insert (ALTER TABLE's mode).
-- Called after ledger_invoice_bulk_begin, in the same savepoint, so that
-- a lock that does not come within lock_wait sends the batch down the
-- normal path rather than wait for it (or deadlock) halfway through the
-- import. Allocation is empty then (its invoice_id is a key of the empty
-- invoice): only a writer about to fail waits on it.
-- +goose StatementBegin
CREATE FUNCTION ledger_invoice_bulk_lock(lock_wait text) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    was text := current_setting('lock_timeout');
BEGIN
    PERFORM set_config('lock_timeout', lock_wait, true);
    LOCK TABLE sweep_wake IN ACCESS EXCLUSIVE MODE;
    LOCK TABLE allocation IN SHARE ROW EXCLUSIVE MODE;
    PERFORM set_config('lock_timeout', was, true);
END
$$;
-- +goose StatementEnd

-- What invoice_wake_insert and invoice_balance_insert write for the
-- invoices of batch, which the bulk path inserted with them off: the same
-- statements as sweep_wake_new_invoices (migration 00161) and
-- ledger_keep_balance's insert branch (migration 00160), reading invoice
-- where they read new_rows. Keep them in step: TestBulkPathWritesWhatTheUpsertWrites
-- compares sweep_wake, client_balance and ledger_horizon after the bulk path
-- with what the triggers leave after the upsert, and fails when one of the
-- three writes below is missing.
--
-- sweep_wake's indexes (definitions read from the catalog, as 00130 reads
-- invoice's, so that one a later migration adds or changes is rebuilt as
-- written) are dropped for its insert and built after it: nothing else
-- writes sweep_wake meanwhile, the caller holding it since
-- ledger_invoice_bulk_lock.
-- +goose StatementBegin
CREATE FUNCTION ledger_invoice_bulk_fill(batch bigint) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    d record;
BEGIN
    CREATE TEMP TABLE sweep_wake_bulk_ddl ON COMMIT DROP AS
    SELECT 1 AS step, c.conname::text AS name, pg_get_constraintdef(c.oid) AS def
    FROM pg_constraint c WHERE c.conrelid = 'sweep_wake'::regclass AND c.contype IN ('p', 'u')
    UNION ALL
    SELECT 2, x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid)
    FROM pg_index x
    WHERE x.indrelid = 'sweep_wake'::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = 'sweep_wake'::regclass);
    FOR d IN SELECT * FROM sweep_wake_bulk_ddl ORDER BY step DESC LOOP
        IF d.step = 2 THEN
            EXECUTE format('DROP INDEX %s', d.name);
        ELSE
            EXECUTE format('ALTER TABLE sweep_wake DROP CONSTRAINT %I', d.name);
        END IF;
    END LOOP;

    INSERT INTO sweep_wake (invoice_id, wake_on)
    SELECT id, sweep_wake_start(excluded, outstanding)
    FROM invoice WHERE import_batch_id = batch AND kind = 'invoice';

    FOR d IN SELECT * FROM sweep_wake_bulk_ddl ORDER BY step LOOP
        IF d.step = 2 THEN
            EXECUTE d.def;
        ELSE
            EXECUTE format('ALTER TABLE sweep_wake ADD CONSTRAINT %I %s', d.name, d.def);
        END IF;
    END LOOP;
    DROP TABLE sweep_wake_bulk_ddl;

    INSERT INTO client_balance AS b (client_id, documents)
    SELECT client_id, sum(outstanding)::bigint FROM invoice WHERE import_batch_id = batch AND outstanding <> 0
    GROUP BY client_id HAVING sum(outstanding) <> 0 ORDER BY client_id
    ON CONFLICT (client_id) DO UPDATE SET documents = b.documents + EXCLUDED.documents;
    UPDATE ledger_horizon h SET latest_issue = n.latest
    FROM (SELECT max(issue_date) AS latest FROM invoice WHERE import_batch_id = batch) n
    WHERE n.latest > h.latest_issue;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ledger_invoice_bulk_fill(bigint);
DROP FUNCTION ledger_invoice_bulk_lock(text);
