-- +goose Up
-- What the dashboard's kept forecast (the upcoming page's preview, package
-- internal/web/dashboard, preview.Changed) asks before it is shown again:
-- has a transaction committed a write to anything the preview reads since
-- the snapshot the preview read? Each transaction that writes one of those
-- tables leaves its id here once (a statement trigger, ON CONFLICT on the
-- id: one row per transaction, not per row or statement). A report read on
-- snapshot S is stale as soon as a row's transaction is not visible in S:
-- committed after S was taken (or while the preview ran, in progress when it
-- began). A transaction that rolls back takes its row with it, and one
-- still in progress is not seen until it commits. Nothing else writes here:
-- the preview writes only its sandbox's temporary twins, which have no
-- trigger, and River's tables have none.
--
-- The tables are those a sandboxed preview (worker.Sandbox) reads from the
-- database: the ledger, the reminder history, the provisions (copied into
-- the sandbox), the legal cases and letters, the sweep's rules and plan.
-- Left out, the tables whose sandbox twin starts empty and the preview
-- never reads for real (event, task, journal_entry, provision_review_state,
-- business_day, sweep_wake, sweep_state, sweep_net_sleep), and the
-- dashboard's and API's own (web_*, api_*).
--
-- A reminder going out (pending to sent, by the send worker, which notes it
-- itself: worker/mark_sent.sql) is seen only by a preview from a day after
-- the one it went out (sent_on): the sandbox
-- counts every reminder decided before its first day and not out by then as
-- sent on that day, and leaves out those decided on it or later, so a
-- reminder sent on its first day or later is the same row to it before and
-- after. Without this, every message the daemon sends (tens of thousands at
-- the send window's opening, or all day under a rate limit) would make the
-- page compute its forecast again. sent_on here is the earliest day a
-- transaction sent on, NULL when it also wrote anything else: then every
-- report is concerned.
--
-- finished_at is when a prune first found the transaction over, and the
-- row is deleted a day after (worker/preview_change_prune.sql, run by the
-- daemon's periodic reconciliation and by the page's look): a kept report
-- lives an hour at most (preview.MaxAge), so every report that could still
-- miss a transaction was read before it finished and is gone by then.
CREATE TABLE preview_change (
    xid         xid8 PRIMARY KEY,
    sent_on     date,
    finished_at timestamptz
);

-- +goose StatementBegin
CREATE FUNCTION preview_change_note() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO preview_change AS c (xid) VALUES (pg_current_xact_id())
    ON CONFLICT (xid) DO UPDATE SET sent_on = NULL WHERE c.sent_on IS NOT NULL;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER allocation_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON allocation FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER client_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER client_balance_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client_balance FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER data_freshness_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON data_freshness FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER dispute_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dispute FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER entity_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON entity FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER import_batch_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON import_batch FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER invoice_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON invoice FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER ledger_horizon_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ledger_horizon FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER legal_case_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON legal_case FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER legal_case_cost_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON legal_case_cost FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER legal_case_invoice_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON legal_case_invoice FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER letter_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON letter FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER pause_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pause FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER payment_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON payment FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER promise_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON promise FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER provision_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON provision FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER reminder_preview_change AFTER INSERT OR DELETE OR TRUNCATE ON reminder FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
-- Any update of a reminder but its going out (pending to sent), which the
-- send worker notes itself with the day it went out (worker/mark_sent.sql):
-- row by row, so that the condition, checked without calling the function,
-- costs a message nothing. Other updates are few (failures, the
-- reconciliation's drops, a revived row).
CREATE TRIGGER reminder_update_preview_change AFTER UPDATE ON reminder
    FOR EACH ROW WHEN (NOT (OLD.status = 'pending' AND NEW.status = 'sent' AND NEW.sent_on IS NOT NULL))
    EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER sweep_plan_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sweep_plan FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();
CREATE TRIGGER sweep_rule_preview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sweep_rule FOR EACH STATEMENT EXECUTE FUNCTION preview_change_note();

-- +goose Down
DROP TRIGGER allocation_preview_change ON allocation;
DROP TRIGGER client_preview_change ON client;
DROP TRIGGER client_balance_preview_change ON client_balance;
DROP TRIGGER data_freshness_preview_change ON data_freshness;
DROP TRIGGER dispute_preview_change ON dispute;
DROP TRIGGER entity_preview_change ON entity;
DROP TRIGGER import_batch_preview_change ON import_batch;
DROP TRIGGER invoice_preview_change ON invoice;
DROP TRIGGER ledger_horizon_preview_change ON ledger_horizon;
DROP TRIGGER legal_case_preview_change ON legal_case;
DROP TRIGGER legal_case_cost_preview_change ON legal_case_cost;
DROP TRIGGER legal_case_invoice_preview_change ON legal_case_invoice;
DROP TRIGGER letter_preview_change ON letter;
DROP TRIGGER pause_preview_change ON pause;
DROP TRIGGER payment_preview_change ON payment;
DROP TRIGGER promise_preview_change ON promise;
DROP TRIGGER provision_preview_change ON provision;
DROP TRIGGER reminder_preview_change ON reminder;
DROP TRIGGER reminder_update_preview_change ON reminder;
DROP TRIGGER sweep_plan_preview_change ON sweep_plan;
DROP TRIGGER sweep_rule_preview_change ON sweep_rule;
DROP FUNCTION preview_change_note();
DROP TABLE preview_change;
