-- +goose Up
-- The day each invoice can next take a step (issue 16): the sweep reads the
-- invoices whose wake day has come, through an index, instead of every open
-- item of the ledger.
--
-- sweep_wake.wake_on is a lower bound, never later than the first day a
-- step of the invoice could be decided, whatever holds it (a dispute, a
-- promise, a pause, the client's balance: those change without a write to
-- the invoice, so an invoice held on its step day stays due and is read
-- each day until the step goes or the hold ends). What it does account for
-- is what only a write can change: the due date, the ladder so far (the
-- level reached, a level pending on its job, the day the last one went,
-- min_gap), the steps already recorded, the plan, and whether the invoice is
-- an open, not excluded invoice at all ('infinity' when not: paid, excluded,
-- a credit note). '-infinity' means "read it on the next sweep".
--
-- Who keeps it:
--   - a new invoice gets '-infinity' (statement trigger on invoice);
--   - an invoice whose due date, issue date, kind, exclusion or open state
--     changes in a way that can bring a step closer gets '-infinity', one
--     excluded or paid off 'infinity' (statement trigger with transition
--     tables);
--   - a reminder row decided, sent or failed only ever moves its invoice's
--     wake later (a ladder level pending on its job counts as if it went
--     out the day it was decided: the send worker records sent_on ≥ due_on,
--     a failed step counts from due_on): nothing is written then, and the
--     send path pays nothing; a row dropped, moved, re-levelled or deleted
--     can bring a step closer and resets its invoice's wake to '-infinity'
--     (a row trigger whose WHEN is false for the send's updates, and a
--     statement trigger on delete);
--   - the sweep recomputes, from D, the wake of every invoice it read on D
--     (worker/sweep_rewake.sql), decided or not, and resets them all when
--     the plan or the pre-due lead changes (sweep_plan and
--     sweep_state.pre_due_lead hold what the wakes were computed with).
-- The sweep reads through it only for the real sweep of a day on or after
-- every decision already recorded (worker/sweep.go, Sweeper.fastPath); a
-- replay of a past day and an explaining run (preview) read the whole
-- ledger as of D as before.
CREATE TABLE sweep_plan (
    profile     text NOT NULL,
    step_id     text NOT NULL,
    kind        int NOT NULL,       -- 0 pre-due, 1 ladder, 2 action (plans.StepKind)
    level       int NOT NULL,
    step_offset int NOT NULL,
    min_gap     int NOT NULL,       -- the profile's
    PRIMARY KEY (profile, step_id)
);

-- The assign rules the wake days are computed with, in order (plans.Set's
-- Assign; the default profile is sweep_state.default_profile): the wake of
-- an invoice follows its client's profile, not every profile's earliest
-- step (another profile's phone call or provision would wake every invoice
-- of a client that has none). `balance`: the rule has bounds on the net
-- balance, which moves without a write to the client; while any rule has,
-- the wake days take every profile's earliest step as before.
CREATE TABLE sweep_rule (
    idx       int PRIMARY KEY,
    profile   text NOT NULL,
    scores    text NOT NULL,    -- comma-joined, '' for any (as sweep.sql takes them)
    countries text NOT NULL,
    segments  text NOT NULL,
    balance   boolean NOT NULL
);

-- No key to invoice: a deleted invoice leaves a row no join finds, and the
-- import does not pay a foreign-key check per invoice.
CREATE TABLE sweep_wake (
    invoice_id bigint PRIMARY KEY,
    wake_on    date NOT NULL DEFAULT '-infinity'
);
CREATE INDEX sweep_wake_on_idx ON sweep_wake (wake_on);

-- The latest day the sweep read through sweep_wake: an earlier day is a
-- replay, which reads the whole ledger.
-- pre_due_lead: how many days before due + offset a pre-due notice can be
-- decided, moved back over the run of non-business days that ends there;
-- the longest such run in the calendars the sweep loads, with a margin
-- (worker.Sweeper.fastPath).
CREATE TABLE sweep_state (
    one             boolean PRIMARY KEY DEFAULT true CHECK (one),
    last_day        date NOT NULL DEFAULT '-infinity',
    pre_due_lead    int NOT NULL DEFAULT 31,
    default_profile text NOT NULL DEFAULT ''
);
INSERT INTO sweep_state DEFAULT VALUES;

INSERT INTO sweep_wake (invoice_id) SELECT id FROM invoice WHERE kind = 'invoice';

-- The wake of the invoices ids, counting from from_day (no step is looked
-- for before it), under the plan in sweep_plan and the profile of the
-- invoice's client as plans.(*Set).ProfileFor picks it (its own profile,
-- the first assign rule it meets, the default); over every profile when a
-- rule looks at the net balance (which a payment moves without a write to
-- the client; a write to what picks the profile resets the client's wake
-- days: client_wake_update below). The earliest of
--   - a pre-due notice not recorded: from due + offset − pre_due_lead (the
--     longest run of non-business days a notice is moved back over) to the
--     due date;
--   - the next ladder level (the level after the highest one recorded, not
--     dropped), once due + offset has come and min_gap days have passed
--     since the last one went, or was decided when it is still pending or
--     failed (a lower bound of the day it goes out: the wake stays right
--     whatever the send makes of the row);
--   - an action not recorded, from due + offset.
-- Not before the issue date. 'infinity' for an invoice that cannot take a
-- step: a credit note, paid, excluded, or gone.
-- +goose StatementBegin
CREATE FUNCTION sweep_wake_of(ids bigint[], from_day date)
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

-- The wake an invoice starts with, or takes back after a change that can
-- bring a step closer: awake ('-infinity', read on the next sweep), or
-- asleep ('infinity') when it cannot take a step — excluded or paid off —
-- until whatever brings it back (inclusion, a reopening) resets it. One
-- definition for the triggers below and the sweep's reset of every wake
-- (worker/sweep_plan.sql); inlined where it is called.
CREATE FUNCTION sweep_wake_start(excluded boolean, outstanding bigint) RETURNS date
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN excluded OR outstanding <= 0 THEN 'infinity'::date ELSE '-infinity'::date END;

-- New invoices: read them on the next sweep, but for those that cannot take
-- a step (excluded, or paid in the file: most of a first import), asleep
-- as the update trigger below puts them; whatever brings one back resets
-- it. A plain insert: a new invoice
-- has a new id, and ON CONFLICT's speculative insertion costs four times as
-- much on a first import of 1,000,000 invoices.
-- +goose StatementBegin
CREATE FUNCTION sweep_wake_new_invoices() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE $q$INSERT INTO sweep_wake (invoice_id, wake_on)
    SELECT id, sweep_wake_start(excluded, outstanding)
    FROM new_rows WHERE kind = 'invoice'$q$;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER invoice_wake_insert AFTER INSERT ON invoice
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sweep_wake_new_invoices();

-- Changed invoices: a change that can bring a step closer resets the wake
-- (a payment in part, a rename, a move to another client do not); an invoice
-- excluded or paid off goes to sleep ('infinity': it cannot take a step, and
-- whatever brings it back, inclusion or a reopening, resets it).
-- The trigger statements here are EXECUTEs, planned on each run for the size
-- of the transition table (see ledger_keep_balance, migration 00160). Every
-- reset writes its row, even one already '-infinity': the sweep's rewake
-- (worker/sweep_rewake.sql) skips a row written after it read it, by its
-- new version, and a reset that wrote nothing would leave none.
-- +goose StatementBegin
CREATE FUNCTION sweep_wake_changed_invoices() RETURNS trigger
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
CREATE TRIGGER invoice_wake_update AFTER UPDATE ON invoice
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sweep_wake_changed_invoices();

-- A client whose profile, payer score, country or segment changed may take
-- another profile (sweep_wake_of): its invoices are read on the next sweep.
-- +goose StatementBegin
CREATE FUNCTION sweep_wake_clients_changed() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE $q$UPDATE sweep_wake w SET wake_on = '-infinity'
    FROM invoice i
    WHERE w.invoice_id = i.id AND i.client_id IN (
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.profile IS DISTINCT FROM o.profile OR n.payer_score IS DISTINCT FROM o.payer_score
           OR n.country IS DISTINCT FROM o.country OR n.segment IS DISTINCT FROM o.segment)$q$;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER client_wake_update AFTER UPDATE ON client
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sweep_wake_clients_changed();

-- A reminder row changed in a way that can bring a step of its invoice
-- closer: dropped (the level or step is decided again), moved to another
-- invoice or step, re-levelled, given an earlier day, or no longer sent as
-- it was. Its invoice is read on the next sweep. A row trigger whose WHEN
-- is false for everything the send does (pending → sent or failed), so
-- that the send's one-row updates pay nothing; a decision (insert) only
-- moves a wake later, and the sweep's rewake sees to the invoices it read.
-- +goose StatementBegin
CREATE FUNCTION sweep_wake_reminder_changed() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE sweep_wake SET wake_on = '-infinity' WHERE invoice_id IN (OLD.invoice_id, NEW.invoice_id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER reminder_wake_update AFTER UPDATE ON reminder FOR EACH ROW
    WHEN ((NEW.status = 'dropped' AND OLD.status <> 'dropped')
          OR NEW.invoice_id <> OLD.invoice_id OR NEW.step_id <> OLD.step_id OR NEW.level <> OLD.level
          OR NEW.due_on < OLD.due_on
          OR (OLD.status = 'sent' AND (NEW.status <> 'sent' OR NEW.sent_on IS DISTINCT FROM OLD.sent_on)))
    EXECUTE FUNCTION sweep_wake_reminder_changed();

-- Rows deleted: their invoices are read on the next sweep, in one statement.
-- +goose StatementBegin
CREATE FUNCTION sweep_wake_reminders_deleted() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE $q$UPDATE sweep_wake w SET wake_on = '-infinity'
    FROM (SELECT DISTINCT invoice_id FROM old_rows) o
    WHERE w.invoice_id = o.invoice_id$q$;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER reminder_wake_delete AFTER DELETE ON reminder
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sweep_wake_reminders_deleted();

-- The open invoices the sweep reads on as_of: those whose wake has come,
-- and those an allocation that does not count yet reopens on that day
-- (ledger_late_settlement); the same columns and open amount as
-- ledger_open_document's invoices. The ids go in as an array so that the
-- invoices are read through their primary key whatever the planner's join
-- settings (the sweep turns nested loops off).
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

-- +goose Down
DROP FUNCTION sweep_waking_document(date);
DROP TRIGGER reminder_wake_delete ON reminder;
DROP FUNCTION sweep_wake_reminders_deleted();
DROP TRIGGER client_wake_update ON client;
DROP FUNCTION sweep_wake_clients_changed();
DROP TRIGGER reminder_wake_update ON reminder;
DROP FUNCTION sweep_wake_reminder_changed();
DROP TRIGGER invoice_wake_update ON invoice;
DROP FUNCTION sweep_wake_changed_invoices();
DROP TRIGGER invoice_wake_insert ON invoice;
DROP FUNCTION sweep_wake_new_invoices();
DROP FUNCTION sweep_wake_start(boolean, bigint);
DROP FUNCTION sweep_wake_of(bigint[], date);
DROP TABLE sweep_state;
DROP TABLE sweep_wake;
DROP TABLE sweep_rule;
DROP TABLE sweep_plan;
