-- +goose Up
-- The bulk path's rebuild (ledger_invoice_bulk_end, migration 00130) checks
-- each foreign key it dropped in one anti-join over the loaded rows, which
-- PostgreSQL plans as any query (RI_Initial_Check). At the default
-- random_page_cost of 4 the planner checked invoice's key to itself
-- (applies_to_id: the credit notes, 3.6 % of a million rows) by hashing
-- every invoice id, a million of them, to probe it with the credit notes'
-- 36,000: 0.44–0.53 s of CPU at 1M (0.45–1.5 s of wall time on a loaded
-- machine). Each of those 36,000 is one look-up in invoice's primary key,
-- which the bulk path keeps, and the table and that index were written by
-- this transaction a moment before: their pages are in memory, and a
-- random read of them costs what a sequential one does. With
-- random_page_cost at seq_page_cost the planner takes the look-ups
-- (0.16–0.17 s of CPU); the key to the clients, a million rows referencing
-- 100,000, stays a hash of the clients, the cheaper plan at either cost.
-- The checks are the same; only their plan changes (bench/analysis.md,
-- perf6-first).
--
-- Replaces ledger_invoice_bulk_end of migration 00130 (same signature and
-- loop; the setting is new, for the loop only, put back after it as
-- ledger_invoice_bulk_begin puts back lock_timeout). Down puts 00130's back.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_invoice_bulk_end() RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    d record;
    was text := current_setting('random_page_cost');
BEGIN
    PERFORM set_config('random_page_cost', current_setting('seq_page_cost'), true);
    FOR d IN SELECT * FROM invoice_bulk_ddl ORDER BY step LOOP
        IF d.step = 2 THEN
            EXECUTE d.def;
        ELSE
            EXECUTE format('ALTER TABLE invoice ADD CONSTRAINT %I %s', d.name, d.def);
        END IF;
    END LOOP;
    PERFORM set_config('random_page_cost', was, true);
    DROP TABLE invoice_bulk_ddl;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_invoice_bulk_end() RETURNS void
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
