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
-- Replaces ledger_invoice_bulk_begin (migration 00130), which now also locks
-- sweep_wake and allocation. Adds ledger_invoice_bulk_fill. No trigger function of
-- migrations 00160, 00161 or 00170 is replaced.

-- 00130's, and sweep_wake and allocation locked after invoice.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_invoice_bulk_begin(lock_wait text) RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    d record;
    was text := current_setting('lock_timeout');
BEGIN
    PERFORM set_config('lock_timeout', lock_wait, true);
    -- The tables invoice's foreign keys point to first (client), in the
    -- mode their rebuild takes: a writer that holds one of them and then
    -- waits for invoice would otherwise deadlock with the rebuild.
    FOR d IN SELECT DISTINCT c.confrelid::regclass::text AS name FROM pg_constraint c
             WHERE c.conrelid = 'invoice'::regclass AND c.contype = 'f' AND c.confrelid <> 'invoice'::regclass
             ORDER BY 1 LOOP
        EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', d.name);
    END LOOP;
    LOCK TABLE invoice IN ACCESS EXCLUSIVE MODE;
    -- sweep_wake's indexes are dropped and rebuilt around its fill
    -- (ledger_invoice_bulk_fill): its lock is taken here, within lock_wait,
    -- rather than wait for it (or deadlock) halfway through the import.
    LOCK TABLE sweep_wake IN ACCESS EXCLUSIVE MODE;
    -- allocation's statement triggers on insert are off for the insert
    -- (ledger/sql/batch_bulk_triggers_off.sql): ALTER TABLE's mode.
    LOCK TABLE allocation IN SHARE ROW EXCLUSIVE MODE;
    PERFORM set_config('lock_timeout', was, true);
    IF EXISTS (SELECT 1 FROM invoice) THEN
        RETURN false;
    END IF;
    CREATE TEMP TABLE invoice_bulk_ddl ON COMMIT DROP AS
    -- Unique constraints first and foreign keys last, in the order they
    -- are rebuilt: a foreign key may need a unique key of its own table.
    SELECT 1 AS step, c.conname::text AS name, pg_get_constraintdef(c.oid) AS def
    FROM pg_constraint c WHERE c.conrelid = 'invoice'::regclass AND c.contype = 'u'
    UNION ALL
    SELECT 2, x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid)
    FROM pg_index x
    WHERE x.indrelid = 'invoice'::regclass AND NOT x.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = 'invoice'::regclass)
    UNION ALL
    SELECT 3, c.conname::text, pg_get_constraintdef(c.oid)
    FROM pg_constraint c WHERE c.conrelid = 'invoice'::regclass AND c.contype = 'f';
    FOR d IN SELECT * FROM invoice_bulk_ddl ORDER BY step DESC LOOP
        IF d.step = 2 THEN
            EXECUTE format('DROP INDEX %s', d.name);
        ELSE
            EXECUTE format('ALTER TABLE invoice DROP CONSTRAINT %I', d.name);
        END IF;
    END LOOP;
    RETURN true;
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
-- ledger_invoice_bulk_begin.
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
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_invoice_bulk_begin(lock_wait text) RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    d record;
    was text := current_setting('lock_timeout');
BEGIN
    PERFORM set_config('lock_timeout', lock_wait, true);
    -- The tables invoice's foreign keys point to first (client), in the
    -- mode their rebuild takes: a writer that holds one of them and then
    -- waits for invoice would otherwise deadlock with the rebuild.
    FOR d IN SELECT DISTINCT c.confrelid::regclass::text AS name FROM pg_constraint c
             WHERE c.conrelid = 'invoice'::regclass AND c.contype = 'f' AND c.confrelid <> 'invoice'::regclass
             ORDER BY 1 LOOP
        EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', d.name);
    END LOOP;
    LOCK TABLE invoice IN ACCESS EXCLUSIVE MODE;
    PERFORM set_config('lock_timeout', was, true);
    IF EXISTS (SELECT 1 FROM invoice) THEN
        RETURN false;
    END IF;
    CREATE TEMP TABLE invoice_bulk_ddl ON COMMIT DROP AS
    -- Unique constraints first and foreign keys last, in the order they
    -- are rebuilt: a foreign key may need a unique key of its own table.
    SELECT 1 AS step, c.conname::text AS name, pg_get_constraintdef(c.oid) AS def
    FROM pg_constraint c WHERE c.conrelid = 'invoice'::regclass AND c.contype = 'u'
    UNION ALL
    SELECT 2, x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid)
    FROM pg_index x
    WHERE x.indrelid = 'invoice'::regclass AND NOT x.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = 'invoice'::regclass)
    UNION ALL
    SELECT 3, c.conname::text, pg_get_constraintdef(c.oid)
    FROM pg_constraint c WHERE c.conrelid = 'invoice'::regclass AND c.contype = 'f';
    FOR d IN SELECT * FROM invoice_bulk_ddl ORDER BY step DESC LOOP
        IF d.step = 2 THEN
            EXECUTE format('DROP INDEX %s', d.name);
        ELSE
            EXECUTE format('ALTER TABLE invoice DROP CONSTRAINT %I', d.name);
        END IF;
    END LOOP;
    RETURN true;
END
$$;
-- +goose StatementEnd
