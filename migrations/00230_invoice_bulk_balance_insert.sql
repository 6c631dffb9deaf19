-- +goose Up
-- The bulk path of a first import writes the balances of its clients
-- (client_balance) by a plain insert, not ON CONFLICT's upsert: the
-- speculative insertion of each of a million-row import's 100,000 clients,
-- who have no row yet, cost a third of that statement (bench/analysis.md,
-- perf5-first). The rows of the clients that have one (an unallocated
-- payment recorded before the import) are updated instead. For that,
-- ledger_invoice_bulk_lock takes client_balance as it takes allocation,
-- against the writers of payments, within the same wait.
--
-- Replaces ledger_invoice_bulk_lock and ledger_invoice_bulk_fill of
-- migration 00210 (same signatures; Down puts 00210's back). Keep the fill
-- in step with ledger_keep_balance's insert branch (migration 00160):
-- TestBulkPathWritesWhatTheUpsertWrites compares the balances after either.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_invoice_bulk_lock(lock_wait text) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    was text := current_setting('lock_timeout');
BEGIN
    PERFORM set_config('lock_timeout', lock_wait, true);
    LOCK TABLE sweep_wake IN ACCESS EXCLUSIVE MODE;
    LOCK TABLE allocation IN SHARE ROW EXCLUSIVE MODE;
    LOCK TABLE client_balance IN SHARE ROW EXCLUSIVE MODE;
    PERFORM set_config('lock_timeout', was, true);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_invoice_bulk_fill(batch bigint) RETURNS void
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

    -- The balance of a client that has a row already (a payment recorded
    -- before, unallocated) gets the batch's documents added; the others, all
    -- of a first import's clients but those, get a plain insert. Nothing
    -- else writes client_balance meanwhile (ledger_invoice_bulk_lock), so
    -- the row read as absent stays absent until the insert.
    WITH n AS MATERIALIZED (
        SELECT client_id, sum(outstanding)::bigint AS documents FROM invoice
        WHERE import_batch_id = batch AND outstanding <> 0
        GROUP BY client_id HAVING sum(outstanding) <> 0),
    kept AS (
        UPDATE client_balance b SET documents = b.documents + n.documents FROM n WHERE b.client_id = n.client_id)
    INSERT INTO client_balance (client_id, documents)
    SELECT client_id, documents FROM n
    WHERE NOT EXISTS (SELECT 1 FROM client_balance b WHERE b.client_id = n.client_id)
    ORDER BY client_id;
    UPDATE ledger_horizon h SET latest_issue = n.latest
    FROM (SELECT max(issue_date) AS latest FROM invoice WHERE import_batch_id = batch) n
    WHERE n.latest > h.latest_issue;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_invoice_bulk_lock(lock_wait text) RETURNS void
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_invoice_bulk_fill(batch bigint) RETURNS void
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
