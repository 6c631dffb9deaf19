-- The wake rows the sweep of $1 read, locked before sweep_rewake.sql computes
-- them again in a snapshot of its own: a send that changes one of these
-- invoices' reminders meanwhile (its trigger writes the wake) either
-- committed before this lock, and the recomputation sees its rows, or waits
-- for the sweep to commit and writes after it. Without the lock the sweep
-- could put back a wake computed from the rows as they were before the send.
SELECT count(*) FROM (SELECT 1 FROM sweep_wake WHERE wake_on <= $1 FOR UPDATE) locked
