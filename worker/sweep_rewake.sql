-- After the sweep of $1 (read through sweep_wake), the wake of every invoice
-- it read computed again from $1 (sweep_wake_of, migration 00161): a
-- decision moves its invoice's wake later, and no trigger writes it. Only
-- the wakes that move past $1 are written: an invoice still awake (held,
-- on its step day but not a business day…) keeps the earlier day, which is
-- as good a lower bound and costs no row version each day.
-- No lock: a writer that resets a wake meanwhile (an invoice or reminder
-- changed: migration 00161's triggers, which always write) makes a new row
-- version, and the ctid guard then skips the row (READ COMMITTED rechecks an
-- updated row against the statement's other rows: the ctid read is the old
-- version's), so a wake computed from the rows as they were before the
-- change never overwrites its reset. Then $1 becomes the latest day swept
-- this way.
WITH read AS MATERIALIZED (
    SELECT invoice_id, ctid AS seen FROM sweep_wake WHERE wake_on <= $1
), later AS (
    SELECT x.invoice_id, x.wake_on
    FROM sweep_wake_of(ARRAY(SELECT invoice_id FROM read ORDER BY invoice_id), $1) x
    WHERE x.wake_on > $1
), woken AS (
    UPDATE sweep_wake w SET wake_on = l.wake_on
    FROM later l JOIN read r ON r.invoice_id = l.invoice_id
    WHERE w.invoice_id = l.invoice_id AND w.ctid = r.seen
    RETURNING 1
), day AS (
    UPDATE sweep_state SET last_day = $1 WHERE last_day < $1
)
SELECT count(*) FROM woken
