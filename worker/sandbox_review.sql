-- The provision review's state carried into the sandbox's twins, so that the
-- first simulated day reviews as the daemon's sweep of $1 would: only what
-- may have changed since the last review (migration 00270), where empty
-- twins made it price every doubtful invoice (0.54 s of backend CPU at
-- 300,000 invoices). Only while the state holds for $1: valid, and $1 on or
-- after the latest day reviewed. Otherwise (no review yet, a replay, an
-- entry or a proposal deleted, a preview of a day before the last sweep) the
-- twins stay empty and the first review is a full one, as before. A matrix
-- that differs from the state's makes the review itself a full one.
--   - provision_review_state: its last_day, matrix and last_reminder, the
--     newest reminder row the review saw (sandbox_swap.sql starts the
--     twin's ids after it: the sandbox's provision steps are new ones);
--   - provision_review_touch: the writes no review has read yet;
--   - provision_review_wake: the wake days, but 'infinity' (most of them:
--     read by no day, and the review writes a row again whenever it
--     reads its invoice, whatever it held);
--   - journal_entry: the provisions and reversals, which the review reads
--     back (booked, the last base), and the reclassifications of invoices
--     with no proposal, whose ON CONFLICT a new proposal meets. The review
--     leaves out a proposal priced as it was last reviewed because what is
--     booked for it is its price: with an empty journal, the full review
--     booked every provision again.
-- The provisions themselves, with their stamps, are copied whole
-- (sandbox_twins.sql), and the reminders as they stood on the morning of $1
-- (sandbox_history.sql). All of it must be of one snapshot, the state as
-- the last review left it and the writes it had not read: only in a
-- repeatable-read transaction (the preview's, the plan diff's), where a
-- read-committed one could copy the provisions before a review commits
-- and its state after.
WITH state AS (
    INSERT INTO sandbox_provision_review_state
    SELECT s.* FROM provision_review_state s
    WHERE s.valid AND s.last_day <= $1 AND current_setting('transaction_isolation') <> 'read committed'
    RETURNING 1
), touch AS (
    INSERT INTO sandbox_provision_review_touch
    SELECT t.* FROM provision_review_touch t WHERE EXISTS (SELECT FROM state)
), wake AS (
    INSERT INTO sandbox_provision_review_wake
    SELECT w.* FROM provision_review_wake w WHERE w.review_on <> 'infinity' AND EXISTS (SELECT FROM state)
), journal AS (
    -- Two scans of the journal: a NOT EXISTS under an OR is a subplan
    -- run for each reclassification, not an anti-join.
    INSERT INTO sandbox_journal_entry OVERRIDING SYSTEM VALUE
    SELECT e.* FROM journal_entry e WHERE e.kind IN ('provision', 'reversal') AND EXISTS (SELECT FROM state)
    UNION ALL
    SELECT e.* FROM journal_entry e
    WHERE e.kind = 'reclassification' AND NOT EXISTS (SELECT FROM provision p WHERE p.invoice_id = e.invoice_id)
      AND EXISTS (SELECT FROM state)
)
SELECT count(*) FROM state
