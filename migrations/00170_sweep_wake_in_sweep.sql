-- +goose Up
-- The wake days (migration 00161) computed by the sweep statement itself
-- (issue 16), and two holds that only a write ends put to sleep.
--
-- The sweep of D used to recompute the wake of every invoice it read in a
-- second statement (sweep_wake_of), reading each invoice, its client and its
-- ladder again by key: on the day everything is due, 4 s of 10 at 1M
-- invoices. The sweep statement has them all at hand (the invoice, its
-- client's profile, the ladder and the day's decisions): it now computes
-- each next wake with sweep_wake_day below, the one definition of the rule
-- that sweep_wake_of also applies.
--
-- Asleep until a write ('infinity'), where they stayed awake every day:
--   - an invoice below its profile's min_amount (its outstanding only rises
--     through a write to the invoice: a payment reversed, a credit note
--     removed, an amount corrected; the invoice trigger below resets its
--     wake when it rises), unless something settled on it does not count
--     yet (then the day moves it). min_amount joins the plan the wakes are computed
--     with (sweep_plan.min_amount): a lower one resets every wake. Not while
--     an assign rule looks at the net balance (the profile, and with it
--     min_amount, then moves without a write).
--   - the invoices of a client whose net balance on D is ≤ 0 (DESIGN §2):
--     the client is recorded in sweep_net_sleep, and each fast sweep reads
--     the net balance on D of the clients recorded there (client_balance,
--     kept on write, migration 00160) and reads again the invoices of those
--     who owe again. Pulled by the sweep rather than pushed by a trigger on
--     client_balance: what the net balance on D is also moves with D
--     (documents issued or payments received after D), and the import pays
--     nothing for it.
ALTER TABLE sweep_plan ADD COLUMN min_amount bigint NOT NULL DEFAULT 0;  -- the profile's, in cents

-- The clients whose open invoices the sweep put to sleep for a net balance
-- ≤ 0 on the day it read them; a client leaves when the sweep finds it
-- owing again and reads its invoices.
CREATE TABLE sweep_net_sleep (
    client_id bigint PRIMARY KEY
);

-- Each profile's steps in sweep_plan as arrays, and the plan folded over
-- its profiles (profile NULL: the earliest offset and smallest gap of each
-- step), for sweep_wake_day.
-- +goose StatementBegin
CREATE FUNCTION sweep_wake_steps()
RETURNS TABLE (profile text, kinds int[], step_ids text[], levels int[], step_offsets int[], min_gaps int[])
LANGUAGE sql STABLE
AS $$
    SELECT p.profile, array_agg(p.kind), array_agg(p.step_id), array_agg(p.level),
           array_agg(p.step_offset), array_agg(p.min_gap)
    FROM (SELECT p.profile, p.kind, CASE WHEN p.kind = 1 THEN '' ELSE p.step_id END AS step_id, p.level,
                 min(p.step_offset) AS step_offset, min(p.min_gap) AS min_gap
          FROM sweep_plan p
          GROUP BY GROUPING SETS ((1, 2, 3, 4), (2, 3, 4))) p
    GROUP BY p.profile
$$;
-- +goose StatementEnd

-- The wake of one invoice from from_day on (the rule of migration 00161's
-- sweep_wake_of): the earliest of
--   - a pre-due notice not recorded: from the business day before due +
--     offset, as the sweep decides it (business_day of the client's
--     country, cal_country), to the due date; where business_day does not
--     reach due + offset yet (a month ahead), from due + offset − lead (the
--     longest run of non-business days a notice is moved back over);
--   - the next ladder level (after last_level), once due + offset has come
--     and min_gap days have passed since last_on;
--   - an action not recorded, from due + offset;
-- not before the issue date; 'infinity' when no step is left (or no due
-- date). The steps come as sweep_wake_steps gives them. A set-returning SQL
-- function of one SELECT, not strict: PostgreSQL inlines it into the
-- statement that calls it (LATERAL, one row per invoice), no call per row.
-- +goose StatementBegin
CREATE FUNCTION sweep_wake_day(due_date date, issue_date date, cal_country text, from_day date, lead int,
                               last_level int, last_on date, recorded text[], kinds int[], step_ids text[],
                               levels int[], step_offsets int[], min_gaps int[])
RETURNS TABLE (wake_on date)
LANGUAGE sql STABLE
AS $$
    -- greatest() skips NULLs: an invoice with no step left must not get its
    -- issue date as a wake day (awake for ever), hence the CASE.
    SELECT CASE WHEN min(s.day) IS NULL THEN 'infinity'::date ELSE greatest(min(s.day), issue_date) END
    FROM (SELECT CASE
                 WHEN s.kind = 1 THEN CASE WHEN s.level = last_level + 1
                                           THEN greatest(due_date + s.step_offset, last_on + s.min_gap, from_day) END
                 WHEN s.step_id = ANY (recorded) THEN NULL
                 WHEN s.kind = 0 THEN CASE WHEN due_date >= from_day THEN greatest(coalesce(
                     (SELECT b.prev_bd FROM business_day b WHERE b.country = cal_country AND b.day = due_date + s.step_offset),
                     due_date + s.step_offset - lead), from_day) END
                 ELSE greatest(due_date + s.step_offset, from_day)
                 END AS day
          FROM unnest(kinds, step_ids, levels, step_offsets, min_gaps) AS s(kind, step_id, level, step_offset, min_gap)
          WHERE due_date IS NOT NULL) s
$$;
-- +goose StatementEnd

-- sweep_wake_of (migration 00161) through sweep_wake_day: the same wakes,
-- one definition of the rule. It remains for the invoices the sweep reads
-- but does not decide (not open on D, excluded…).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sweep_wake_of(ids bigint[], from_day date)
RETURNS TABLE (invoice_id bigint, wake_on date)
LANGUAGE sql STABLE
AS $$
    -- Each id's invoice and ladder are read by key (LATERAL): linear in the
    -- ids whatever the planner guesses of an array's length.
    WITH profiles AS MATERIALIZED (
        SELECT * FROM sweep_wake_steps()
    ), folded AS (      -- true: a rule looks at the balance, every invoice takes the folded plan
        SELECT EXISTS (SELECT 1 FROM sweep_rule WHERE balance) AS yes
    )
    SELECT x.id, coalesce(w.wake_on, 'infinity')
    FROM unnest(ids) AS x(id)
    CROSS JOIN (SELECT pre_due_lead AS days FROM sweep_state) lead
    LEFT JOIN LATERAL (
        SELECT v.due_date, v.issue_date, c.country,
               CASE WHEN NOT (SELECT yes FROM folded) THEN coalesce(
                   (SELECT p.profile FROM sweep_plan p WHERE p.profile = c.profile LIMIT 1),
                   (SELECT r.profile FROM sweep_rule r
                     WHERE r.profile IN (SELECT profile FROM sweep_plan)
                       AND (r.scores = '' OR upper(c.payer_score::text) = ANY (string_to_array(r.scores, ',')))
                       AND (r.countries = '' OR upper(c.country) = ANY (string_to_array(upper(r.countries), ',')))
                       AND (r.segments = '' OR upper(c.segment) = ANY (string_to_array(upper(r.segments), ',')))
                     ORDER BY r.idx LIMIT 1),
                   (SELECT default_profile FROM sweep_state)) END AS profile
        FROM invoice v JOIN client c ON c.id = v.client_id
        WHERE v.id = x.id AND v.kind = 'invoice' AND NOT v.excluded AND v.outstanding > 0) i ON true
    LEFT JOIN LATERAL (
        SELECT coalesce(max(r.level) FILTER (WHERE r.level >= 1), 0) AS last_level,
               max(CASE WHEN r.status = 'sent' THEN r.sent_on ELSE r.due_on END) FILTER (WHERE r.level >= 1) AS last_on,
               coalesce(array_agg(r.step_id) FILTER (WHERE r.level < 1), '{}') AS recorded
        FROM reminder r
        WHERE r.invoice_id = x.id AND r.status <> 'dropped') h ON true
    LEFT JOIN profiles pp ON pp.profile IS NOT DISTINCT FROM i.profile AND i.due_date IS NOT NULL
    LEFT JOIN LATERAL sweep_wake_day(i.due_date, i.issue_date, i.country, from_day, lead.days,
                                     h.last_level, h.last_on, h.recorded, pp.kinds, pp.step_ids, pp.levels,
                                     pp.step_offsets, pp.min_gaps) w ON true
$$;
-- +goose StatementEnd

-- The open invoices the sweep reads on as_of (migration 00161's, with the
-- invoices of the clients `owing` added: those whose invoices sleep for a
-- net balance ≤ 0 and who owe again). `late`: something settled on the
-- invoice does not count yet on as_of, so that its open amount moves with
-- the day, up as well as down (a reversed closure dated later): it may not
-- sleep below min_amount.
-- +goose StatementBegin
CREATE FUNCTION sweep_waking_document(as_of date, owing bigint[])
RETURNS TABLE (id bigint, entity_id bigint, client_id bigint, kind text, number text, issue_date date,
               due_date date, ages_from date, currency text, amount_incl_vat bigint, amount_excl_vat bigint,
               applies_to_id bigint, excluded boolean, open bigint, late boolean)
LANGUAGE sql STABLE
AS $$
    SELECT t.id, t.entity_id, t.client_id, t.kind, t.number, t.issue_date, t.due_date, t.due_date,
           t.currency::text, t.amount_incl_vat, t.amount_excl_vat, t.applies_to_id, t.excluded,
           t.outstanding + coalesce(l.amount, 0), l.document_id IS NOT NULL
    FROM invoice t
    LEFT JOIN ledger_late_settlement(as_of) l ON l.document_id = t.id
    WHERE t.id = ANY (ARRAY(SELECT w.invoice_id FROM sweep_wake w WHERE w.wake_on <= as_of
                            UNION
                            SELECT s.document_id FROM ledger_late_settlement(as_of) s
                            UNION
                            SELECT i.id FROM invoice i WHERE i.client_id = ANY (owing) AND i.kind = 'invoice'))
      AND t.kind = 'invoice' AND t.issue_date <= as_of AND t.outstanding + coalesce(l.amount, 0) <> 0
$$;
-- +goose StatementEnd
DROP FUNCTION sweep_waking_document(date);

-- Changed invoices (migration 00161's trigger), and now also an outstanding
-- that rises: an invoice asleep below min_amount may reach it.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sweep_wake_changed_invoices() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE $q$INSERT INTO sweep_wake AS w (invoice_id, wake_on)
    SELECT n.id, sweep_wake_start(n.excluded, n.outstanding)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.kind = 'invoice'
      AND (n.due_date <> o.due_date OR n.issue_date <> o.issue_date OR o.kind <> 'invoice'
           OR o.excluded <> n.excluded OR (o.outstanding <= 0) <> (n.outstanding <= 0)
           OR n.outstanding > o.outstanding)
    ORDER BY n.id
    ON CONFLICT (invoice_id) DO UPDATE SET wake_on = EXCLUDED.wake_on$q$;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sweep_wake_changed_invoices() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE $q$INSERT INTO sweep_wake AS w (invoice_id, wake_on)
    SELECT n.id, sweep_wake_start(n.excluded, n.outstanding)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.kind = 'invoice'
      AND (n.due_date <> o.due_date OR n.issue_date <> o.issue_date OR o.kind <> 'invoice'
           OR o.excluded <> n.excluded OR (o.outstanding <= 0) <> (n.outstanding <= 0))
    ORDER BY n.id
    ON CONFLICT (invoice_id) DO UPDATE SET wake_on = EXCLUDED.wake_on$q$;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION sweep_waking_document(as_of date)
RETURNS TABLE (id bigint, entity_id bigint, client_id bigint, kind text, number text, issue_date date,
               due_date date, ages_from date, currency text, amount_incl_vat bigint, amount_excl_vat bigint,
               applies_to_id bigint, excluded boolean, open bigint)
LANGUAGE sql STABLE
AS $$
    SELECT t.id, t.entity_id, t.client_id, t.kind, t.number, t.issue_date, t.due_date, t.due_date,
           t.currency::text, t.amount_incl_vat, t.amount_excl_vat, t.applies_to_id, t.excluded,
           t.outstanding + coalesce(l.amount, 0)
    FROM invoice t
    LEFT JOIN ledger_late_settlement(as_of) l ON l.document_id = t.id
    WHERE t.id = ANY (ARRAY(SELECT w.invoice_id FROM sweep_wake w WHERE w.wake_on <= as_of
                            UNION
                            SELECT s.document_id FROM ledger_late_settlement(as_of) s))
      AND t.kind = 'invoice' AND t.issue_date <= as_of AND t.outstanding + coalesce(l.amount, 0) <> 0
$$;
-- +goose StatementEnd
DROP FUNCTION sweep_waking_document(date, bigint[]);
-- 00161's sweep_wake_of, which does not call sweep_wake_day.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sweep_wake_of(ids bigint[], from_day date)
RETURNS TABLE (invoice_id bigint, wake_on date)
LANGUAGE sql STABLE
AS $$
    -- Each id's invoice and ladder are read by key (LATERAL): linear in the
    -- ids whatever the planner guesses of an array's length or the join
    -- settings of the statement that fires the trigger (a join planned for
    -- ten ids and run for a hundred thousand is quadratic).
    WITH plan AS (      -- each profile's steps, and the plan folded over its profiles (profile NULL): the earliest offset and the smallest gap of each step
        SELECT p.profile, p.kind, CASE WHEN p.kind = 1 THEN '' ELSE p.step_id END AS step_id, p.level,
               min(p.step_offset) AS step_offset, min(p.min_gap) AS min_gap
        FROM sweep_plan p
        GROUP BY GROUPING SETS ((1, 2, 3, 4), (2, 3, 4))
    ), profiles AS MATERIALIZED (  -- one row a profile, its steps as arrays: an invoice unnests its own profile's only
        SELECT profile, array_agg(kind) AS kinds, array_agg(step_id) AS step_ids, array_agg(level) AS levels,
               array_agg(step_offset) AS step_offsets, array_agg(min_gap) AS min_gaps
        FROM plan GROUP BY profile
    ), lead AS (
        SELECT pre_due_lead AS days FROM sweep_state
    ), folded AS (      -- true: a rule looks at the balance, every invoice takes the folded plan
        SELECT EXISTS (SELECT 1 FROM sweep_rule WHERE balance) AS yes
    )
    -- greatest() skips NULLs: an invoice with no step left must not get its
    -- issue date as a wake day (awake for ever), hence the CASE.
    SELECT x.id, CASE WHEN min(s.day) IS NULL THEN 'infinity'::date ELSE greatest(min(s.day), i.issue_date) END
    FROM unnest(ids) AS x(id)
    LEFT JOIN LATERAL (
        SELECT v.due_date, v.issue_date,
               CASE WHEN NOT (SELECT yes FROM folded) THEN coalesce(
                   (SELECT p.profile FROM sweep_plan p WHERE p.profile = c.profile LIMIT 1),
                   (SELECT r.profile FROM sweep_rule r
                     WHERE r.profile IN (SELECT profile FROM sweep_plan)
                       AND (r.scores = '' OR upper(c.payer_score::text) = ANY (string_to_array(r.scores, ',')))
                       AND (r.countries = '' OR upper(c.country) = ANY (string_to_array(upper(r.countries), ',')))
                       AND (r.segments = '' OR upper(c.segment) = ANY (string_to_array(upper(r.segments), ',')))
                     ORDER BY r.idx LIMIT 1),
                   (SELECT default_profile FROM sweep_state)) END AS profile
        FROM invoice v JOIN client c ON c.id = v.client_id
        WHERE v.id = x.id AND v.kind = 'invoice' AND NOT v.excluded AND v.outstanding > 0) i ON true
    LEFT JOIN LATERAL (
        SELECT coalesce(max(r.level) FILTER (WHERE r.level >= 1), 0) AS last_level,
               max(CASE WHEN r.status = 'sent' THEN r.sent_on ELSE r.due_on END) FILTER (WHERE r.level >= 1) AS last_on,
               coalesce(array_agg(r.step_id) FILTER (WHERE r.level < 1), '{}') AS recorded
        FROM reminder r
        WHERE r.invoice_id = x.id AND r.status <> 'dropped') h ON true
    LEFT JOIN LATERAL (
        SELECT CASE
               WHEN s.kind = 1 THEN CASE WHEN s.level = h.last_level + 1
                                         THEN greatest(i.due_date + s.step_offset, h.last_on + s.min_gap, from_day) END
               WHEN s.step_id = ANY (h.recorded) THEN NULL
               WHEN s.kind = 0 THEN CASE WHEN i.due_date >= from_day
                                         THEN greatest(i.due_date + s.step_offset - (SELECT days FROM lead), from_day) END
               ELSE greatest(i.due_date + s.step_offset, from_day)
               END AS day
        FROM (SELECT * FROM profiles pp WHERE pp.profile IS NOT DISTINCT FROM i.profile AND i.due_date IS NOT NULL) pp
        CROSS JOIN LATERAL unnest(pp.kinds, pp.step_ids, pp.levels, pp.step_offsets, pp.min_gaps)
            AS s(kind, step_id, level, step_offset, min_gap)) s ON true
    GROUP BY x.id, i.issue_date
$$;
-- +goose StatementEnd
DROP FUNCTION sweep_wake_day(date, date, text, date, int, int, date, text[], int[], text[], int[], int[], int[]);
DROP FUNCTION sweep_wake_steps();
DROP TABLE sweep_net_sleep;
ALTER TABLE sweep_plan DROP COLUMN min_amount;
