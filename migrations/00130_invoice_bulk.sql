-- +goose Up
-- The bulk path of a first import (issue 16): when the invoice table is
-- empty, a batch of many invoices is loaded without the table's secondary
-- indexes and foreign keys, which are built after the load in one sort
-- each and checked in one join each, instead of maintained and checked row
-- by row (a btree insertion per index and a trigger per foreign key for
-- each of a million rows).
--
-- Only when the whole table is empty: invoice is shared by every entity,
-- and dropping its indexes while another entity has rows would make every
-- reader of that entity scan the table until the import commits. An empty
-- table has no reader to hurt; the ACCESS EXCLUSIVE lock holds the daemon's
-- statements on invoice until the first import commits, which on a fresh
-- install have nothing to read anyway.
--
-- The definitions come from the catalog, so that an index or key a later
-- migration adds or changes is rebuilt as that migration wrote it. The
-- primary key stays: the other ledger tables' foreign keys hang on it, and
-- identity ids arrive in order, which costs a btree nothing.

-- Locks invoice and, when it is empty, saves the definitions of its
-- secondary indexes, unique constraints and foreign keys in a temporary
-- table and drops them. Returns whether it did; false leaves the table as
-- it was (the caller rolls back to a savepoint to release the locks). It
-- waits at most lock_wait for each lock (lock_not_available after it).
-- +goose StatementBegin
CREATE FUNCTION ledger_invoice_bulk_begin(lock_wait text) RETURNS boolean
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

-- Rebuilds what ledger_invoice_bulk_begin dropped: each index in one sort,
-- each foreign key checked in one join over the loaded rows.
-- +goose StatementBegin
CREATE FUNCTION ledger_invoice_bulk_end() RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    d record;
BEGIN
    FOR d IN SELECT * FROM invoice_bulk_ddl ORDER BY step LOOP
        IF d.step = 2 THEN
            EXECUTE d.def;
        ELSE
            EXECUTE format('ALTER TABLE invoice ADD CONSTRAINT %I %s', d.name, d.def);
        END IF;
    END LOOP;
    DROP TABLE invoice_bulk_ddl;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ledger_invoice_bulk_end();
DROP FUNCTION ledger_invoice_bulk_begin(text);
