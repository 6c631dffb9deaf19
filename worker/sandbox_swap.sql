-- The twins take the real tables' names. PostgreSQL looks for a table in the
-- session's temporary schema first, so from here on every statement of this
-- session (the sweep's, the ledger functions' inlined bodies) reads and
-- writes the twins; the real tables are not touched again.
ALTER TABLE sandbox_reminder RENAME TO reminder;
ALTER TABLE sandbox_provision RENAME TO provision;
ALTER TABLE sandbox_task RENAME TO task;
ALTER TABLE sandbox_journal_entry RENAME TO journal_entry;
ALTER TABLE sandbox_provision_review_state RENAME TO provision_review_state;
ALTER TABLE sandbox_provision_review_touch RENAME TO provision_review_touch;
ALTER TABLE sandbox_provision_review_wake RENAME TO provision_review_wake;
ALTER TABLE sandbox_event RENAME TO event;
ALTER TABLE sandbox_promise RENAME TO promise;
ALTER TABLE sandbox_dispute RENAME TO dispute;
ALTER TABLE sandbox_business_day RENAME TO business_day;
ALTER TABLE sandbox_sweep_wake RENAME TO sweep_wake;
ALTER TABLE sandbox_sweep_state RENAME TO sweep_state;
ALTER TABLE sandbox_sweep_net_sleep RENAME TO sweep_net_sleep;
-- Rows copied with their ids leave the identity behind them: new rows take
-- ids after the copied ones. The reminders' also after the newest row the
-- provision review saw (sandbox_review.sql): the provision steps the
-- sandbox records are new to it, even on a first day the daemon already
-- swept, whose rows with higher ids are left out of the twin.
SELECT setval(pg_get_serial_sequence('reminder', 'id'),
              greatest(coalesce(max(id), 0), (SELECT coalesce(max(last_reminder), 0) FROM provision_review_state)) + 1, false)
FROM reminder;
SELECT setval(pg_get_serial_sequence('provision', 'id'), coalesce(max(id), 0) + 1, false) FROM provision;
SELECT setval(pg_get_serial_sequence('journal_entry', 'id'), coalesce(max(id), 0) + 1, false) FROM journal_entry;
-- Autovacuum never analyzes a temporary table: the sweep's planner needs
-- the twin's size.
ANALYZE reminder, provision;
-- A statement this session prepared before the swap (pgx caches them per
-- connection) is planned against the real tables and would keep reading
-- them: every cached plan is parsed again on its next use.
DISCARD PLANS;
