-- The daily sweep: every (invoice, step) pair due on $1, decided, recorded
-- and (for phone calls) carried out in one statement; a provision step is
-- recorded here and priced by ledger.ReviewProvisions. Parameters:
--   $1  the day D
--   $2..$10  plan steps: profile, step id, kind (0 pre-due, 1 ladder, 2 action), level, offset, channel, template, action, penalties
--   $11..$13 profiles: name, min_gap days, min_amount cents
--   $14 the default profile (when no explicit profile and no rule matches)
--   $15..$20 assign rules in order: profile, payer scores, min net, max net, countries, segments
--            (list conditions are comma-joined, '' for "any"; bounds NULL for "any")
--   $21 explain: also return, with their reason, the invoices a step would
--       have fired for but that something holds back (preview); false for a
--       real sweep, which then never computes them
--   $22 read only the invoices whose wake day has come (Sweeper.fastPath),
--       and compute the next wake of each invoice read (migrations 00161, 00170)
-- The ledger is read as of D through the ledger_* functions of migration
-- 00020 (what did not count yet on D is added back), reminder rows with
-- due_on < D are history, rows with due_on = D are that day's decisions
-- (found again on a replay).
WITH steps AS (
    SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[], $10::bool[])
        AS s(profile, step_id, kind, level, step_offset, channel, template, action, penalties)
), profiles AS (
    SELECT * FROM unnest($11::text[], $12::int[], $13::bigint[]) AS p(profile, min_gap, min_amount)
), rules AS (
    SELECT * FROM unnest($15::text[], $16::text[], $17::bigint[], $18::bigint[], $19::text[], $20::text[])
        WITH ORDINALITY AS r(profile, scores, min_net, max_net, countries, segments, idx)
), owing AS MATERIALIZED (  -- $22: the clients whose invoices sleep for a net balance <= 0 (sweep_net_sleep) who owe again on D
    -- Each client's balance by key (LATERAL): `= ANY (ARRAY(…))` is a
    -- linear search of the array per row when the planner scans the table
    -- instead, quadratic; a lateral lookup is linear in the clients however
    -- their number is guessed. The same below for every read by key
    -- (OFFSET 0 keeps the planner from turning a simple one into a join,
    -- which hashes the whole table: nested loops are off).
    SELECT s.client_id FROM sweep_net_sleep s
    CROSS JOIN LATERAL (SELECT b.net FROM ledger_client_net($1) b WHERE b.client_id = s.client_id) b
    WHERE $22 AND b.net > 0
), waking AS MATERIALIZED (  -- $22: the invoices whose wake day has come, read once
    -- (sweep_waking_document, migrations 00161 and 00170: with the invoices
    -- of the clients owing again), for the real sweep of a day not before
    -- any decision already recorded; empty otherwise (a one-time filter: the
    -- function is never run).
    SELECT id, client_id, kind, issue_date, due_date, excluded, currency, amount_incl_vat, amount_excl_vat, open, late
    FROM sweep_waking_document($1, ARRAY(SELECT client_id FROM owing)) WHERE $22
), items AS NOT MATERIALIZED (  -- the documents open as of D, with their outstanding as of D
    -- Every open document, or only the waking ones ($22). The branch not
    -- taken is a one-time filter: it is never scanned.
    SELECT id, client_id, kind, issue_date, due_date, excluded, currency, amount_incl_vat, amount_excl_vat, open AS outstanding,
           false AS late
    FROM ledger_open_document($1) WHERE NOT $22
    UNION ALL
    SELECT id, client_id, kind, issue_date, due_date, excluded, currency, amount_incl_vat, amount_excl_vat, open, late
    FROM waking
), balance AS (          -- each client's net balance as of D, every currency added together
    -- From the balances kept on write (migration 00160): ledger_client_net(D)
    -- is ledger_client_balance(D) without adding up every open item. On the
    -- fast path only for the clients of the waking invoices (the condition
    -- reaches client_balance through the function's grouping).
    SELECT client_id, net FROM ledger_client_net($1)
    WHERE NOT $22 OR client_id = ANY (ARRAY(SELECT DISTINCT client_id FROM waking))
), paused AS (           -- clients paused (their invoices held) or excluded (out of dunning) on D
    -- Both are dated pause rows, so a replay sees them as they stood on D.
    SELECT pa.client_id, bool_or(pa.kind = 'pause') AS paused, bool_or(pa.kind = 'exclusion') AS excluded
    FROM pause pa
    WHERE pa.from_on <= $1 AND (pa.until IS NULL OR pa.until >= $1) AND (pa.resumed_on IS NULL OR pa.resumed_on > $1)
    GROUP BY pa.client_id
), clients AS MATERIALIZED (  -- clients in play, with their profile as plans.(*Set).ProfileFor picks it
    SELECT c.id AS client_id, c.country, coalesce(b.net, 0) AS net,
           cardinality(c.emails) > 0 AND (c.email_bouncing_since IS NULL OR c.email_bouncing_since::date > $1) AS emailable,
           c.email_bouncing_since IS NOT NULL AND c.email_bouncing_since::date <= $1 AS bouncing,
           (c.insolvency_opened_on IS NOT NULL AND c.insolvency_opened_on <= $1) AS insolvent,
           coalesce(pa.paused, false) AS paused, coalesce(pa.excluded, false) AS excluded,
           coalesce(today.is_business, false) AS business_today,
           coalesce(
               (SELECT p.profile FROM profiles p WHERE p.profile = c.profile),
               (SELECT r.profile FROM rules r
                 WHERE r.profile IN (SELECT profile FROM profiles)
                   AND (r.scores = '' OR upper(c.payer_score::text) = ANY (string_to_array(r.scores, ',')))
                   AND (r.min_net IS NULL OR coalesce(b.net, 0) >= r.min_net)
                   AND (r.max_net IS NULL OR coalesce(b.net, 0) <= r.max_net)
                   AND (r.countries = '' OR upper(c.country) = ANY (string_to_array(upper(r.countries), ',')))
                   AND (r.segments = '' OR upper(c.segment) = ANY (string_to_array(upper(r.segments), ',')))
                 ORDER BY r.idx LIMIT 1),
               $14) AS profile
    FROM client c LEFT JOIN balance b ON b.client_id = c.id
    LEFT JOIN paused pa ON pa.client_id = c.id
    -- Whether D is a business day in the client's country: looked up once
    -- per client, not once per candidate step.
    LEFT JOIN business_day today ON today.country = c.country AND today.day = $1
    -- On the fast path, the clients of the waking invoices only.
    WHERE NOT $22 OR c.id = ANY (ARRAY(SELECT DISTINCT client_id FROM waking))
), history AS (          -- the ladder so far: highest level decided before D, and when the last went out
    -- min_gap counts from the day a step was sent (sent_on). A step still
    -- pending on a live job, or sent on D or later (a replay looking back),
    -- was not out as of D: it blocks the next level without starting the
    -- clock. A failed step (bounced) counts from the day it was decided. A
    -- dropped step (paid, disputed… or its job died) is not history: it is
    -- decided again.
    -- The wake_* columns are what the next wake day counts from (migration
    -- 00161's rule, sweep_wake_day): every row not dropped, whatever its
    -- day; a ladder level counts from when it went, or was decided while
    -- it is pending or failed. Only on the fast path.
    SELECT r.invoice_id, max(r.level) FILTER (WHERE r.level >= 1 AND r.due_on < $1) AS last_level,
           max(CASE WHEN r.status = 'failed' THEN r.due_on ELSE r.sent_on END) FILTER (WHERE r.level >= 1 AND r.due_on < $1) AS last_on,
           bool_or(r.status = 'pending' OR r.sent_on >= $1) FILTER (WHERE r.level >= 1 AND r.due_on < $1) AS waiting,
           max(r.level) FILTER (WHERE $22 AND r.level >= 1) AS wake_level,
           max(CASE WHEN r.status = 'sent' THEN r.sent_on ELSE r.due_on END) FILTER (WHERE $22 AND r.level >= 1) AS wake_from,
           array_agg(r.step_id) FILTER (WHERE $22 AND r.level < 1) AS wake_recorded
    -- On the fast path the rows of the waking invoices by key (LATERAL): a
    -- join (nested loops are off) hashed every reminder row ever decided.
    FROM (SELECT r.* FROM reminder r JOIN items it ON it.id = r.invoice_id
          WHERE NOT $22 AND r.level >= 1 AND r.due_on < $1
          UNION ALL
          SELECT r.* FROM waking k CROSS JOIN LATERAL (SELECT * FROM reminder r WHERE r.invoice_id = k.id OFFSET 0) r) r
    WHERE r.status <> 'dropped'
    GROUP BY r.invoice_id
), open_items AS MATERIALIZED (  -- invoices in dunning on D, held or not
    -- Joined to their client before the steps: the planner cannot estimate
    -- the CTEs above, and left to itself it built clients × steps first.
    SELECT * FROM (
        SELECT it.id, it.client_id, it.issue_date, it.due_date, it.outstanding, it.amount_incl_vat, it.amount_excl_vat, it.currency,
               cl.profile, cl.country, cl.emailable, cl.bouncing, cl.business_today, p.min_gap,
               -- The two holds only a write ends (the fast path's wake, migration 00170).
               cl.net <= 0 AS owes_nothing, it.outstanding < p.min_amount AND NOT it.late AS below_min,
               -- An open legal case holds the invoice's messages (the amicable
               -- ladder), not its actions: an invoice in court is still provisioned.
               cx.invoice_id IS NOT NULL AS in_case,
               -- What stops everything, actions included, in plans.Resolve's
               -- order (plans.Resolve is the reference); NULL: nothing.
               CASE WHEN cl.insolvent THEN 'insolvency'
                    WHEN cl.paused THEN 'paused'
                    WHEN cl.net <= 0 THEN 'net_balance'
                    WHEN dx.invoice_id IS NOT NULL THEN 'dispute'
                    WHEN px.invoice_id IS NOT NULL THEN 'promise'
                    WHEN it.outstanding < p.min_amount THEN 'min_amount'
               END AS held
        FROM items it
        JOIN clients cl ON cl.client_id = it.client_id
        JOIN profiles p ON p.profile = cl.profile
        LEFT JOIN (SELECT DISTINCT invoice_id FROM ledger_open_dispute($1)) dx ON dx.invoice_id = it.id
        LEFT JOIN (SELECT DISTINCT invoice_id FROM ledger_open_case($1)) cx ON cx.invoice_id = it.id
        -- A promise holds through its `until`, ending early on the day it was
        -- found kept (settled_on, ledger.Settle at the start of the sweep).
        LEFT JOIN (SELECT DISTINCT pr.invoice_id FROM promise pr WHERE pr.promised_on <= $1 AND pr.until >= $1
                     AND (pr.settled_on IS NULL OR pr.settled_on > $1)) px
               ON px.invoice_id = it.id
        -- An excluded invoice or client is out of dunning, not held.
        WHERE it.kind = 'invoice' AND NOT it.excluded AND NOT cl.excluded AND it.outstanding > 0
    ) e
), eligible AS (  -- invoices that may take a step today, whatever the step
    SELECT * FROM open_items e
    WHERE e.held IS NULL OR $21  -- a held invoice goes on only to be explained
), candidates AS (
    SELECT * FROM (
        SELECT it.id AS invoice_id, it.client_id, it.profile, s.step_id, s.kind, s.level, s.step_offset, s.channel, s.template, s.action,
               it.outstanding, it.amount_incl_vat, it.amount_excl_vat, it.currency, $1::date - it.due_date AS days_late,
               coalesce(it.held,
                   CASE WHEN s.kind <> 2 AND it.in_case THEN 'case' END,
                   -- the next ladder level waits until the previous one is out
                   -- (not pending on a live job), then min_gap days after it went
                   CASE WHEN s.kind = 1 AND h.waiting THEN 'waiting'
                        WHEN s.kind = 1 AND $1 - h.last_on < it.min_gap THEN 'gap' END,
                   -- an email needs an address that works
                   CASE WHEN s.channel = 'email' AND NOT it.emailable THEN
                       CASE WHEN it.bouncing THEN 'bouncing' ELSE 'no_email' END END) AS held
        FROM eligible it
        LEFT JOIN history h ON h.invoice_id = it.id
        -- Only the next ladder level can fire: the others are not even candidates.
        -- A pre-due notice only before the due date (checked again below).
        JOIN steps s ON s.profile = it.profile AND (s.kind <> 1 OR s.level = coalesce(h.last_level, 0) + 1)
                    AND (s.kind = 0 OR it.due_date + s.step_offset <= $1) AND (s.kind <> 0 OR $1 <= it.due_date)
        LEFT JOIN business_day target ON target.country = it.country AND target.day = it.due_date + s.step_offset
        WHERE CASE s.kind
              -- Pre-due notice: prev_bd(due + offset) <= D <= due. When due +
              -- offset <= D this holds whatever the calendar; otherwise D must be
              -- the business day just before a run of non-business days ending
              -- at due + offset. A later notice already recorded makes it moot.
              WHEN 0 THEN $1 <= it.due_date AND (it.due_date + s.step_offset <= $1 OR target.prev_bd <= $1)
                      AND NOT EXISTS (SELECT 1 FROM reminder r JOIN steps s2 ON s2.profile = it.profile AND s2.step_id = r.step_id
                                       WHERE r.invoice_id = it.id AND r.due_on < $1 AND r.status <> 'dropped'
                                         AND s2.kind = 0 AND s2.step_offset > s.step_offset)
              -- Ladder: D >= next_bd(due + offset). D is a business day (checked
              -- below), so this is due + offset <= D. Then exactly the next
              -- level, once the previous one is out, min_gap days after it
              -- went (both held above).
              WHEN 1 THEN it.due_date + s.step_offset <= $1
                      AND s.level = coalesce(h.last_level, 0) + 1
              -- Actions: the first sweep on or after due + offset, any day.
              ELSE it.due_date + s.step_offset <= $1
              END
          -- Messages go out on the client's business days.
          AND (s.kind = 2 OR it.business_today)
    ) c
    WHERE c.held IS NULL OR $21
), due AS (              -- of several pre-due notices whose window holds D, only the latest
    SELECT * FROM (
        SELECT c.*, row_number() OVER (PARTITION BY c.invoice_id, c.kind = 0 ORDER BY c.step_offset DESC) AS rank
        FROM candidates c WHERE c.held IS NULL) ranked
    WHERE kind <> 0 OR rank = 1
), held AS (             -- explain only: the invoices a message would go out for today but for a hold, one reason each
    SELECT DISTINCT ON (c.invoice_id) c.invoice_id, c.client_id, c.profile, c.step_id, c.kind, c.level, c.channel,
           c.action, c.currency, c.held
    FROM candidates c WHERE c.held IS NOT NULL AND c.kind <> 2 AND $21
    ORDER BY c.invoice_id, c.kind, c.step_offset DESC
), recorded AS (
    -- A row dropped at send time (paid, disputed… between sweep and send) is
    -- revived when the step comes due again; a sent or failed row never is.
    INSERT INTO reminder AS r (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_at, sent_on)
    SELECT invoice_id, client_id, profile, step_id, CASE kind WHEN 2 THEN -1 ELSE level END,
           CASE WHEN kind = 2 THEN CASE action WHEN 'phone_call' THEN 'phone' ELSE 'action' END ELSE channel END,
           template, $1,
           CASE kind WHEN 2 THEN 'sent' ELSE 'pending' END,  -- an action is carried out by this very statement
           CASE kind WHEN 2 THEN now() END, CASE kind WHEN 2 THEN $1::date END
    FROM due
    ON CONFLICT (invoice_id, step_id) DO UPDATE
        SET due_on = EXCLUDED.due_on, status = EXCLUDED.status, sent_at = EXCLUDED.sent_at, sent_on = EXCLUDED.sent_on, drop_reason = NULL,
            profile = EXCLUDED.profile, level = EXCLUDED.level, channel = EXCLUDED.channel,
            template = EXCLUDED.template, client_id = EXCLUDED.client_id, job_id = NULL, message_id = NULL
        WHERE r.status = 'dropped' AND r.due_on < EXCLUDED.due_on
    RETURNING r.id, r.invoice_id, r.client_id, r.profile, r.step_id, r.level, r.channel
), tasks AS (
    -- An action fires on any day; the call is for the client's next business day.
    INSERT INTO task (client_id, invoice_id, kind, due_on, note)
    SELECT d.client_id, d.invoice_id, 'phone_call', coalesce(bd.next_bd, $1), 'plan ' || d.profile || ', step ' || d.step_id
    FROM due d
    -- The client by key (LATERAL): a join (nested loops are off) read
    -- every client for the day's few calls.
    CROSS JOIN LATERAL (SELECT c.country FROM client c WHERE c.id = d.client_id OFFSET 0) c
    LEFT JOIN business_day bd ON bd.country = c.country AND bd.day = $1
    WHERE d.action = 'phone_call'
    ON CONFLICT (client_id, invoice_id, kind) DO NOTHING
    RETURNING id
), decided AS (
    -- The day's decisions: recorded now, or recorded by an earlier run of
    -- the same day (the statement's snapshot does not see its own inserts,
    -- and a revived row had another day before).
    -- The currency comes with the decision (due), or, for an earlier run's
    -- rows, from the invoice by its key: no join that would hash every invoice.
    SELECT r.id, r.invoice_id, r.client_id, r.profile, r.step_id, r.level, r.channel, d.currency, true AS fresh
    FROM recorded r JOIN due d ON d.invoice_id = r.invoice_id AND d.step_id = r.step_id
    UNION ALL
    SELECT id, invoice_id, client_id, profile, step_id, level, channel,
           (SELECT i.currency::text FROM invoice i WHERE i.id = reminder.invoice_id), false
    FROM reminder WHERE due_on = $1
), woke AS MATERIALIZED (  -- $22: the wake rows read (due, or of an invoice read anyway), as read
    -- Their ctid guards the write below without a lock: a writer that resets
    -- a wake meanwhile (an invoice or reminder changed: the triggers of
    -- migration 00161, which always write) makes a new row version, and
    -- READ COMMITTED rechecks an updated row against the statement's other
    -- rows with the new version's ctid, so a wake computed from the rows as
    -- they were before the change never overwrites its reset.
    WITH due_wake AS (
        SELECT w.invoice_id, w.wake_on, w.ctid AS seen FROM sweep_wake w
        WHERE $22 AND w.wake_on <= $1
    )
    SELECT invoice_id, wake_on, seen FROM due_wake
    UNION ALL   -- read anyway: a settlement that does not count yet, a client owing again
    -- Looked up only for the invoices read that the wake did not bring
    -- (a hashed NOT IN): the others' rows are the ones above.
    SELECT w.invoice_id, w.wake_on, w.seen
    FROM waking k CROSS JOIN LATERAL (SELECT w.invoice_id, w.wake_on, w.ctid AS seen FROM sweep_wake w
                                      WHERE w.invoice_id = k.id AND w.wake_on > $1 OFFSET 0) w
    WHERE k.id NOT IN (SELECT invoice_id FROM due_wake)
), decided_today AS (  -- $22: the ladder level and the other steps this statement recorded, per invoice
    SELECT invoice_id, max(level) FILTER (WHERE level >= 1) AS level, array_agg(step_id) FILTER (WHERE level < 1) AS steps
    FROM recorded WHERE $22
    GROUP BY invoice_id
), wake_state AS MATERIALIZED (  -- $22: read once, not once per invoice
    SELECT (SELECT coalesce(bool_or(balance), false) FROM sweep_rule) AS folded, s.pre_due_lead
    FROM sweep_state s WHERE $22
), next_wake AS (  -- $22: the next wake of each invoice in dunning read, from D on
    -- Asleep ('infinity') below min_amount (unless a rule on the net
    -- balance picks the profile, or something settled on it does not count
    -- yet: the day then moves its open amount) or while the client owes
    -- nothing on D:
    -- an outstanding that rises resets the wake (the invoice trigger), and
    -- the client is recorded in sweep_net_sleep, whose net balance each
    -- fast sweep reads (`owing`). Else sweep_wake_day (migration 00170) over
    -- the profile's steps (the plan folded over every profile while a rule
    -- looks at the balance), from the ladder as recorded, today's
    -- decisions included (the statement does not see its own inserts).
    SELECT o.id AS invoice_id, o.client_id,
           CASE WHEN (o.below_min AND NOT f.folded) OR o.owes_nothing THEN 'infinity'::date ELSE x.wake_on END AS wake_on,
           o.owes_nothing AND NOT (o.below_min AND NOT f.folded) AS net_sleep
    FROM open_items o
    CROSS JOIN wake_state f
    LEFT JOIN history h ON h.invoice_id = o.id
    LEFT JOIN decided_today t ON t.invoice_id = o.id
    LEFT JOIN sweep_wake_steps() ws ON coalesce(ws.profile, '') = CASE WHEN f.folded THEN '' ELSE o.profile END
    CROSS JOIN LATERAL sweep_wake_day(o.due_date, o.issue_date, o.country, $1, f.pre_due_lead,
                                      coalesce(greatest(h.wake_level, t.level), 0),
                                      greatest(h.wake_from, CASE WHEN t.level IS NOT NULL THEN $1::date END),
                                      coalesce(h.wake_recorded, '{}') || coalesce(t.steps, '{}'),
                                      ws.kinds, ws.step_ids, ws.levels, ws.step_offsets, ws.min_gaps) x
    WHERE $22
), other_wake AS (  -- $22: the wake rows read whose invoice is not in dunning on D (paid, excluded, not issued yet…)
    SELECT x.invoice_id, x.wake_on
    FROM sweep_wake_of(ARRAY(SELECT invoice_id FROM woke EXCEPT SELECT invoice_id FROM next_wake), $1) x
    WHERE $22
), moved AS MATERIALIZED (
    -- Only the wakes that move past D are written: an invoice still awake
    -- (held, on its step day but not a business day…) keeps the earlier
    -- day, which is as good a lower bound and costs no row version each day.
    SELECT r.invoice_id, r.seen, n.wake_on
    FROM (SELECT invoice_id, wake_on FROM next_wake UNION ALL SELECT invoice_id, wake_on FROM other_wake) n
    JOIN woke r ON r.invoice_id = n.invoice_id
    WHERE n.wake_on > $1 AND n.wake_on <> r.wake_on
), rewoken AS (  -- each row as it was read, fetched by its ctid (a TID scan: a join would hash all of sweep_wake)
    UPDATE sweep_wake w SET wake_on = m.wake_on
    FROM moved m
    WHERE w.ctid = ANY (ARRAY(SELECT seen FROM moved)) AND w.ctid = m.seen AND w.invoice_id = m.invoice_id
), net_slept AS (
    INSERT INTO sweep_net_sleep (client_id)
    SELECT DISTINCT client_id FROM next_wake WHERE net_sleep
    ON CONFLICT (client_id) DO NOTHING
), net_woken AS (  -- their invoices were read and have their wake again
    DELETE FROM sweep_net_sleep s WHERE $22 AND s.client_id IN (SELECT client_id FROM owing)
), swept AS (      -- $22: D is the latest day swept this way
    UPDATE sweep_state SET last_day = $1 WHERE $22 AND last_day < $1
)
SELECT x.id, x.invoice_id, x.client_id, x.profile, x.step_id,
       CASE WHEN x.level < 0 THEN 2 WHEN x.level = 0 THEN 0 ELSE 1 END AS kind,
       x.level,
       CASE WHEN x.level < 0 THEN '' ELSE x.channel END AS channel,
       CASE WHEN x.level >= 0 THEN '' WHEN x.channel = 'phone' THEN 'phone_call' ELSE 'provision' END AS action,
       coalesce(x.currency, '') AS currency, x.fresh,
       (SELECT count(*) FROM tasks) AS tasks, NULL::text AS held
FROM decided x
UNION ALL
SELECT NULL, h.invoice_id, h.client_id, h.profile, h.step_id, h.kind, coalesce(h.level, -1), coalesce(h.channel, ''),
       coalesce(h.action, ''), h.currency, false, 0, h.held
FROM held h
ORDER BY client_id, invoice_id, kind, level, step_id
