-- The plan the wake days of sweep_wake are computed with (migration 00161),
-- brought up to the plan loaded now: when a step, an offset, a min_gap, a
-- min_amount (an invoice below it sleeps, migration 00170), an assign rule
-- or the default profile differs, sweep_plan, sweep_rule and
-- sweep_state take the new plan and every invoice that can take a step is
-- read again on this sweep (its wake reset; excluded and paid-off invoices
-- go to sleep as the invoice triggers put them: at 1M invoices, 1 in 5
-- eligible, the first sweep read and rewoke all 1M, 40 s instead of 10). So when the pre-due lead ($7, the longest run
-- of non-business days of the calendars loaded, with a margin) grows: a
-- notice could then be moved back further than the wake days allow for; a
-- lead that shrinks is stored, the wake days already computed being only
-- earlier than needed. Returns whether they were reset. Parameters: the
-- plan's steps, one array each — $1 profile, $2 step id, $3 kind, $4 level,
-- $5 offset, $6 the profile's min_gap; $7 the pre-due lead in days; the
-- assign rules in order — $8 profile, $9 payer scores, $10 countries, $11
-- segments (comma-joined, '' for any), $12 whether it has bounds on the net
-- balance; $13 the default profile; $14 each step's profile's min_amount (cents).
WITH wanted AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $14::bigint[])
        AS w(profile, step_id, kind, level, step_offset, min_gap, min_amount)
), rules AS (
    SELECT (r.idx - 1)::int AS idx, r.profile, r.scores, r.countries, r.segments, r.balance
    FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::bool[]) WITH ORDINALITY
        AS r(profile, scores, countries, segments, balance, idx)
), stale AS (
    SELECT 1 FROM (
        (SELECT profile, step_id, kind, level, step_offset, min_gap, min_amount FROM wanted
         EXCEPT SELECT profile, step_id, kind, level, step_offset, min_gap, min_amount FROM sweep_plan)
        UNION ALL
        (SELECT profile, step_id, kind, level, step_offset, min_gap, min_amount FROM sweep_plan
         EXCEPT SELECT profile, step_id, kind, level, step_offset, min_gap, min_amount FROM wanted)
        UNION ALL
        SELECT '', '', 0, 0, 0, 0, 0 FROM sweep_state WHERE pre_due_lead < $7::int OR default_profile <> $13::text
        UNION ALL
        SELECT '', '', 0, 0, 0, 0, 0 FROM (
            (SELECT idx, profile, scores, countries, segments, balance FROM rules
             EXCEPT SELECT idx, profile, scores, countries, segments, balance FROM sweep_rule)
            UNION ALL
            (SELECT idx, profile, scores, countries, segments, balance FROM sweep_rule
             EXCEPT SELECT idx, profile, scores, countries, segments, balance FROM rules)) r) d
    LIMIT 1
), rules_gone AS (
    DELETE FROM sweep_rule WHERE EXISTS (SELECT 1 FROM stale) AND idx >= (SELECT count(*) FROM rules)
), rules_put AS (
    INSERT INTO sweep_rule (idx, profile, scores, countries, segments, balance)
    SELECT idx, profile, scores, countries, segments, balance FROM rules WHERE EXISTS (SELECT 1 FROM stale)
    ON CONFLICT (idx) DO UPDATE
        SET profile = EXCLUDED.profile, scores = EXCLUDED.scores, countries = EXCLUDED.countries,
            segments = EXCLUDED.segments, balance = EXCLUDED.balance
), gone AS (
    DELETE FROM sweep_plan p
    WHERE EXISTS (SELECT 1 FROM stale)
      AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.profile = p.profile AND w.step_id = p.step_id)
), put AS (
    INSERT INTO sweep_plan (profile, step_id, kind, level, step_offset, min_gap, min_amount)
    SELECT profile, step_id, kind, level, step_offset, min_gap, min_amount FROM wanted WHERE EXISTS (SELECT 1 FROM stale)
    ON CONFLICT (profile, step_id) DO UPDATE
        SET kind = EXCLUDED.kind, level = EXCLUDED.level, step_offset = EXCLUDED.step_offset, min_gap = EXCLUDED.min_gap,
            min_amount = EXCLUDED.min_amount
), state AS (
    UPDATE sweep_state SET pre_due_lead = $7::int, default_profile = $13::text
    WHERE pre_due_lead <> $7::int OR default_profile <> $13::text
), reset AS (      -- awake, but for the invoices that cannot take a step, asleep as the invoice triggers put them
    UPDATE sweep_wake w SET wake_on = z.wake_on
    FROM (SELECT i.id, sweep_wake_start(i.excluded, i.outstanding) AS wake_on
          FROM invoice i WHERE i.kind = 'invoice') z
    WHERE EXISTS (SELECT 1 FROM stale) AND w.invoice_id = z.id AND w.wake_on <> z.wake_on
)
SELECT EXISTS (SELECT 1 FROM stale)
