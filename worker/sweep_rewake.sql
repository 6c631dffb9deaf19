-- After the sweep of $1 (read through sweep_wake), the wake of every invoice
-- it read — decided today, held, not due yet, paid, excluded — computed
-- again from $1 (sweep_wake_of, migration 00121): a decision moves its
-- invoice's wake later, and no trigger writes it. Then $1 becomes the
-- latest day swept this way.
WITH due AS (
    SELECT x.invoice_id, x.wake_on
    FROM sweep_wake_of(ARRAY(SELECT invoice_id FROM sweep_wake WHERE wake_on <= $1 ORDER BY invoice_id), $1) x
), woken AS (
    UPDATE sweep_wake w SET wake_on = d.wake_on
    FROM due d
    WHERE w.invoice_id = d.invoice_id AND w.wake_on <= $1 AND w.wake_on <> d.wake_on
    RETURNING 1
), day AS (
    UPDATE sweep_state SET last_day = $1 WHERE last_day < $1
)
SELECT count(*) FROM woken
