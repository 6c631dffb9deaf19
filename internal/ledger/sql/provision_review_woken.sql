-- The invoices the daily review of day $1 reads when it follows what
-- changed (migration 00270), for provision_review.sql's $8: those written
-- since the last review (provision_review_touch), those whose wake day has
-- come (a bucket boundary, a settlement that starts to count), and those
-- with a provision step recorded since (the action rows after the newest
-- reminder row the last review saw). NULL when the state does not hold for
-- $1 (no review yet, a replay, an entry deleted): the review is a full one.
-- A statement of its own, so that the review's call of provision_due takes
-- the list as a parameter and is planned for it (an argument holding a
-- subquery keeps PostgreSQL from inlining the function: 2 s at 300,000
-- invoices, every invoice hashed). Only read here: the review takes off
-- the list the rows of the invoices it reads. The state is read once (a
-- CTE): a subquery per row of a table never analyzed was costed for 183
-- rows, past jit_above_cost, and compiled for 0.2 s.
WITH s AS MATERIALIZED (
    SELECT s.last_reminder FROM provision_review_state s WHERE s.valid AND $1 >= s.last_day
)
SELECT CASE WHEN EXISTS (SELECT FROM s) THEN ARRAY(
    SELECT t.invoice_id FROM provision_review_touch t
    UNION
    SELECT w.invoice_id FROM provision_review_wake w WHERE w.review_on <= $1
    UNION
    SELECT r.invoice_id FROM reminder r
    WHERE r.id > (SELECT max(last_reminder) FROM s) AND r.channel = 'action' AND r.status = 'sent' AND r.due_on <= $1) END
