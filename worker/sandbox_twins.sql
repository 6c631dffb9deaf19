-- A sandbox's temporary twins of every table a sweep writes (Sandbox):
-- empty copies of their definitions, indexes and identity included, named
-- sandbox_* until sandbox_swap.sql renames them over the real names. What
-- ends by itself (promises, disputes) is copied whole: Settle updates it and
-- the sweep reads it. So are the provisions: the review proposes only for an
-- invoice without one, and a preview lists those proposals (empty, its
-- first day would propose every doubtful invoice again). Tasks, events and
-- the business-day cache start empty: nothing the sweep decides reads them.
-- The provision review's state, the writes and wake days it follows and the
-- journal entries it reads back start empty, and sandbox_review.sql fills
-- them when the state holds for the first day.
CREATE TEMP TABLE sandbox_reminder (LIKE reminder INCLUDING ALL) ON COMMIT DROP;
CREATE TEMP TABLE sandbox_provision (LIKE provision INCLUDING ALL) ON COMMIT DROP;
CREATE TEMP TABLE sandbox_task (LIKE task INCLUDING ALL) ON COMMIT DROP;
CREATE TEMP TABLE sandbox_journal_entry (LIKE journal_entry INCLUDING ALL) ON COMMIT DROP;
-- The provision review's state (migration 00190), and the writes and wake
-- days it follows (migration 00270).
CREATE TEMP TABLE sandbox_provision_review_state (LIKE provision_review_state INCLUDING ALL) ON COMMIT DROP;
CREATE TEMP TABLE sandbox_provision_review_touch (LIKE provision_review_touch INCLUDING ALL) ON COMMIT DROP;
CREATE TEMP TABLE sandbox_provision_review_wake (LIKE provision_review_wake INCLUDING ALL) ON COMMIT DROP;
CREATE TEMP TABLE sandbox_event (LIKE event INCLUDING ALL) ON COMMIT DROP;
CREATE TEMP TABLE sandbox_promise (LIKE promise INCLUDING ALL) ON COMMIT DROP;
CREATE TEMP TABLE sandbox_dispute (LIKE dispute INCLUDING ALL) ON COMMIT DROP;
CREATE TEMP TABLE sandbox_business_day (LIKE business_day INCLUDING ALL) ON COMMIT DROP;
-- The wake days the fast sweep writes (migrations 00161, 00170): a sandboxed
-- sweep reads the whole ledger and writes none, but its statement names
-- them, and naming a table to write it locks it.
CREATE TEMP TABLE sandbox_sweep_wake (LIKE sweep_wake INCLUDING ALL) ON COMMIT DROP;
CREATE TEMP TABLE sandbox_sweep_state (LIKE sweep_state INCLUDING ALL) ON COMMIT DROP;
CREATE TEMP TABLE sandbox_sweep_net_sleep (LIKE sweep_net_sleep INCLUDING ALL) ON COMMIT DROP;
INSERT INTO sandbox_promise OVERRIDING SYSTEM VALUE SELECT * FROM promise;
INSERT INTO sandbox_dispute OVERRIDING SYSTEM VALUE SELECT * FROM dispute;
INSERT INTO sandbox_provision OVERRIDING SYSTEM VALUE SELECT * FROM provision;
