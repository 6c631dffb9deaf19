-- The daily sweep: every (invoice, step) pair due on $1, decided, recorded
-- and (for phone calls) carried out in one statement; a provision step is
-- recorded here and priced by ledger.ReviewProvisions. Parameters:
--   $1  the day D
--   $2..$10  plan steps: profile, step id, kind (0 pre-due, 1 ladder, 2 action), level, offset, channel, template, action, penalties
--   $11..$13 profiles: name, min_gap days, min_amount cents
--   $14 the default profile (when no explicit profile and no rule matches)
--   $15..$20 assign rules in order: profile, payer scores, min net, max net, countries, segments
--            (list conditions are comma-joined, '' for "any"; bounds NULL for "any")
-- The ledger is read as of D: settlements applied after D are added back,
-- reminder rows with due_on < D are history, rows with due_on = D are that
-- day's decisions (found again on a replay).
WITH steps AS (
    SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[], $10::bool[])
        AS s(profile, step_id, kind, level, step_offset, channel, template, action, penalties)
), profiles AS (
    SELECT * FROM unnest($11::text[], $12::int[], $13::bigint[]) AS p(profile, min_gap, min_amount)
), rules AS (
    SELECT * FROM unnest($15::text[], $16::text[], $17::bigint[], $18::bigint[], $19::text[], $20::text[])
        WITH ORDINALITY AS r(profile, scores, min_net, max_net, countries, segments, idx)
), late_to AS (          -- settlements of an invoice applied after D
    SELECT invoice_id, sum(amount) AS amount FROM allocation WHERE applied_on > $1 GROUP BY invoice_id
), late_from AS (        -- settlements drawn from a credit note after D
    SELECT credit_note_id AS id, sum(amount) AS amount FROM allocation
    WHERE applied_on > $1 AND credit_note_id IS NOT NULL GROUP BY credit_note_id
), items AS NOT MATERIALIZED (  -- every document open as of D, with its outstanding as of D
    SELECT i.id, i.client_id, i.kind, i.due_date, i.excluded, i.currency, i.amount_incl_vat, i.amount_excl_vat,
           i.outstanding + coalesce(lt.amount, 0) - coalesce(lf.amount, 0) AS outstanding
    FROM invoice i
    LEFT JOIN late_to lt ON lt.invoice_id = i.id
    LEFT JOIN late_from lf ON lf.id = i.id
    WHERE i.issue_date <= $1 AND (i.outstanding <> 0 OR lt.invoice_id IS NOT NULL OR lf.id IS NOT NULL)
), late_payment AS (     -- allocations drawn from a payment after D
    SELECT payment_id, sum(amount) AS amount FROM allocation
    WHERE applied_on > $1 AND payment_id IS NOT NULL GROUP BY payment_id
), unapplied AS (        -- payments received by D and not allocated as of D
    SELECT p.client_id, sum(p.unallocated + coalesce(lp.amount, 0)) AS amount
    FROM payment p LEFT JOIN late_payment lp ON lp.payment_id = p.id
    WHERE p.received_on <= $1 AND (p.unallocated <> 0 OR lp.payment_id IS NOT NULL)
    GROUP BY p.client_id
), balance AS (
    SELECT b.client_id, b.open_items - coalesce(u.amount, 0) AS net
    FROM (SELECT client_id, sum(outstanding) AS open_items FROM items GROUP BY client_id) b
    LEFT JOIN unapplied u ON u.client_id = b.client_id
), clients AS MATERIALIZED (  -- clients in play, with their profile as plans.(*Set).ProfileFor picks it
    SELECT c.id AS client_id, c.country, b.net,
           cardinality(c.emails) > 0 AND (c.email_bouncing_since IS NULL OR c.email_bouncing_since::date > $1) AS emailable,
           (c.insolvency_opened_on IS NOT NULL AND c.insolvency_opened_on <= $1) AS insolvent,
           EXISTS (SELECT 1 FROM pause pa WHERE pa.client_id = c.id AND pa.from_on <= $1   -- a pause or an exclusion
                     AND (pa.until IS NULL OR pa.until >= $1) AND (pa.resumed_on IS NULL OR pa.resumed_on > $1)) AS paused,
           coalesce(
               (SELECT p.profile FROM profiles p WHERE p.profile = c.profile),
               (SELECT r.profile FROM rules r
                 WHERE r.profile IN (SELECT profile FROM profiles)
                   AND (r.scores = '' OR upper(c.payer_score::text) = ANY (string_to_array(r.scores, ',')))
                   AND (r.min_net IS NULL OR b.net >= r.min_net)
                   AND (r.max_net IS NULL OR b.net <= r.max_net)
                   AND (r.countries = '' OR upper(c.country) = ANY (string_to_array(upper(r.countries), ',')))
                   AND (r.segments = '' OR upper(c.segment) = ANY (string_to_array(upper(r.segments), ',')))
                 ORDER BY r.idx LIMIT 1),
               $14) AS profile
    FROM balance b JOIN client c ON c.id = b.client_id
), history AS (          -- the ladder so far: highest level decided before D and when
    SELECT r.invoice_id, max(r.level) AS last_level, max(r.due_on) AS last_on
    FROM reminder r JOIN items it ON it.id = r.invoice_id
    WHERE r.level >= 1 AND r.due_on < $1 AND r.status <> 'dropped'
    GROUP BY r.invoice_id
), eligible AS MATERIALIZED (  -- invoices that may take a step today, whatever the step
    -- Joined to their client before the steps: the planner cannot estimate
    -- the CTEs above, and left to itself it built clients × steps first.
    SELECT it.id, it.client_id, it.due_date, it.outstanding, it.amount_incl_vat, it.amount_excl_vat, it.currency,
           cl.profile, cl.country, cl.emailable, p.min_gap
    FROM items it
    JOIN clients cl ON cl.client_id = it.client_id
    JOIN profiles p ON p.profile = cl.profile
    -- What stops everything, actions included (plans.Resolve is the reference).
    WHERE it.kind = 'invoice' AND NOT it.excluded
      AND it.outstanding > 0 AND it.outstanding >= p.min_amount
      AND cl.net > 0 AND NOT cl.insolvent AND NOT cl.paused
), candidates AS (
    SELECT it.id AS invoice_id, it.client_id, it.profile, s.step_id, s.kind, s.level, s.step_offset, s.channel, s.template, s.action,
           it.outstanding, it.amount_incl_vat, it.amount_excl_vat, it.currency, $1::date - it.due_date AS days_late
    FROM eligible it
    LEFT JOIN history h ON h.invoice_id = it.id
    -- Only the next ladder level can fire: the others are not even candidates.
    JOIN steps s ON s.profile = it.profile AND (s.kind <> 1 OR s.level = coalesce(h.last_level, 0) + 1)
                AND (s.kind = 0 OR it.due_date + s.step_offset <= $1)
    LEFT JOIN business_day today ON today.country = it.country AND today.day = $1
    LEFT JOIN business_day target ON target.country = it.country AND target.day = it.due_date + s.step_offset
    -- A dispute holds through its `until`; a promise through its `until`,
    -- ending early on the day it was found kept (settled_on, ledger.Settle).
    WHERE NOT EXISTS (SELECT 1 FROM dispute d WHERE d.invoice_id = it.id AND d.opened_on <= $1
                        AND (d.resolved_on IS NULL OR d.resolved_on > $1) AND (d.until IS NULL OR d.until >= $1))
      AND NOT EXISTS (SELECT 1 FROM promise pr WHERE pr.invoice_id = it.id AND pr.promised_on <= $1 AND pr.until >= $1
                        AND (pr.settled_on IS NULL OR pr.settled_on > $1))
      AND CASE s.kind
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
          -- level, min_gap days after the previous ladder step.
          WHEN 1 THEN it.due_date + s.step_offset <= $1
                  AND s.level = coalesce(h.last_level, 0) + 1
                  AND (h.last_on IS NULL OR $1 - h.last_on >= it.min_gap)
          -- Actions: the first sweep on or after due + offset, any day.
          ELSE it.due_date + s.step_offset <= $1
          END
      -- Messages go out on the client's business days, to an address that works.
      AND (s.kind = 2 OR coalesce(today.is_business, false))
      AND (s.channel IS DISTINCT FROM 'email' OR it.emailable)
), due AS (              -- of several pre-due notices whose window holds D, only the latest
    SELECT * FROM (
        SELECT c.*, row_number() OVER (PARTITION BY c.invoice_id, c.kind = 0 ORDER BY c.step_offset DESC) AS rank
        FROM candidates c) ranked
    WHERE kind <> 0 OR rank = 1
), recorded AS (
    -- A row dropped at send time (paid, disputed… between sweep and send) is
    -- revived when the step comes due again; a sent or failed row never is.
    INSERT INTO reminder AS r (invoice_id, client_id, profile, step_id, level, channel, template, due_on, status, sent_at)
    SELECT invoice_id, client_id, profile, step_id, CASE kind WHEN 2 THEN -1 ELSE level END,
           CASE WHEN kind = 2 THEN CASE action WHEN 'phone_call' THEN 'phone' ELSE 'action' END ELSE channel END,
           template, $1,
           CASE kind WHEN 2 THEN 'sent' ELSE 'pending' END,  -- an action is carried out by this very statement
           CASE kind WHEN 2 THEN now() END
    FROM due
    ON CONFLICT (invoice_id, step_id) DO UPDATE
        SET due_on = EXCLUDED.due_on, status = EXCLUDED.status, sent_at = EXCLUDED.sent_at, drop_reason = NULL,
            profile = EXCLUDED.profile, level = EXCLUDED.level, channel = EXCLUDED.channel,
            template = EXCLUDED.template, client_id = EXCLUDED.client_id, job_id = NULL, message_id = NULL
        WHERE r.status = 'dropped' AND r.due_on < EXCLUDED.due_on
    RETURNING r.id, r.invoice_id, r.client_id, r.profile, r.step_id, r.level, r.channel
), tasks AS (
    -- An action fires on any day; the call is for the client's next business day.
    INSERT INTO task (client_id, invoice_id, kind, due_on, note)
    SELECT d.client_id, d.invoice_id, 'phone_call', coalesce(bd.next_bd, $1), 'plan ' || d.profile || ', step ' || d.step_id
    FROM due d
    JOIN client c ON c.id = d.client_id
    LEFT JOIN business_day bd ON bd.country = c.country AND bd.day = $1
    WHERE d.action = 'phone_call'
    ON CONFLICT (client_id, invoice_id, kind) DO NOTHING
    RETURNING id
), decided AS (
    -- The day's decisions: recorded now, or recorded by an earlier run of
    -- the same day (the statement's snapshot does not see its own inserts,
    -- and a revived row had another day before).
    SELECT id, invoice_id, client_id, profile, step_id, level, channel, true AS fresh FROM recorded
    UNION ALL
    SELECT id, invoice_id, client_id, profile, step_id, level, channel, false FROM reminder WHERE due_on = $1
)
SELECT x.id, x.invoice_id, x.client_id, x.profile, x.step_id,
       CASE WHEN x.level < 0 THEN 2 WHEN x.level = 0 THEN 0 ELSE 1 END,
       x.level,
       CASE WHEN x.level < 0 THEN '' ELSE x.channel END,
       CASE WHEN x.level >= 0 THEN '' WHEN x.channel = 'phone' THEN 'phone_call' ELSE 'provision' END,
       coalesce(inv.currency::text, ''), x.fresh,
       (SELECT count(*) FROM tasks)
FROM decided x
LEFT JOIN invoice inv ON inv.id = x.invoice_id
ORDER BY x.client_id, x.invoice_id, CASE WHEN x.level < 0 THEN 2 WHEN x.level = 0 THEN 0 ELSE 1 END, x.level, x.step_id
