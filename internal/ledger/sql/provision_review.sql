-- The provisions of every entity brought up to day $1, in one pass over
-- provision_due: $2..$5 the matrix (profiles, buckets, their lowest days
-- late, the rates profile by profile), $6 the insolvency rate and $7 the
-- default VAT rate, in basis points; $8 the invoices that may have changed
-- since the last review (provision_review_woken.sql; NULL: a full review).
--   - Each invoice newly doubtful with a provision above 0 gets a proposal,
--     a 'provision_proposed' event by the engine, and its 411 → 416
--     reclassification at the outstanding incl. VAT.
--   - Each invoice with a proposal (new or not) gets, when its provision on
--     $1 differs from what is booked by $1, the difference: a provision
--     (6817/491) when it rises, a reversal (491/7817) when it falls. A rise
--     rests on the insolvency proceeding (deductible) or on the matrix
--     (not); a fall follows a smaller outstanding (settled) or a lower rate,
--     and keeps the deductibility of what it takes back.
--   - A proposal whose invoice is settled (its provision now 0) is marked
--     settled_on $1, and left alone from then on.
--   - Only the invoices whose pricing changed since their proposal was last
--     reviewed (provision_due's review_key against the proposal's
--     reviewed_with, migration 00190) and those without a proposal are
--     priced, while provision_review_state holds: a review of a day on or
--     after the latest one reviewed, with the same matrix. Otherwise
--     (the first review, a replay of an earlier day, a matrix changed, a
--     journal entry or a proposal deleted) every doubtful invoice is.
--   - While it holds, only the invoices that may have changed are read at
--     all (migration 00270): those written since the last review, those
--     whose wake day has come (a bucket boundary, a settlement that starts
--     to count), the provision steps recorded since, and the insolvent
--     clients' invoices. A forward review writes the wake day of each
--     invoice it read.
--   - A review of a day on or after the latest one stamps each proposal it
--     priced with its review_key, and makes the state hold from that day
--     with this matrix; a replay makes the next review a full one.
-- Returns the new proposals (invoice, cause, rate, amount, currency, as
-- arrays in the order of the invoices), the counts of reclassifications
-- and adjustments, and how many invoices were priced.
WITH mode AS MATERIALIZED (
    -- forward: a day on or after every day reviewed; incremental: and the
    -- stamps hold for it (migration 00190), and what changed was listed ($8).
    SELECT coalesce(bool_and($1 >= s.last_day), true) AS forward,
           coalesce(bool_and(s.valid AND $1 >= s.last_day AND s.matrix = row($2::text[], $3::text[], $4::int[], $5::int[], $6::int, $7::int)::text), false)
               AND $8::bigint[] IS NOT NULL AS incremental
    FROM provision_review_state s
), touched AS MATERIALIZED (
    -- The writes recorded since the last review (migration 00270's
    -- triggers) taken off the list: every row this statement sees on a
    -- full review; on an incremental one, those of the invoices it reads
    -- ($8: what provision_review_woken.sql found, and a write committed
    -- since, which this statement sees). A write committed after its
    -- snapshot stays for the next review. Two deletes, one of them
    -- emptied by a one-time filter: the list is joined to the rows, not
    -- compared with `= ANY ($8)`, which PostgreSQL hashes only for a
    -- constant array; under a generic plan (from the sixth run on one
    -- connection: a preview's days) it compared each row with the whole
    -- list.
    DELETE FROM provision_review_touch t WHERE NOT (SELECT incremental FROM mode)
    RETURNING 1
), touched_read AS MATERIALIZED (
    DELETE FROM provision_review_touch t
    WHERE t.invoice_id IN (SELECT unnest($8::bigint[])) AND (SELECT incremental FROM mode)
    RETURNING 1
), computed AS MATERIALIZED (
    -- Every doubtful invoice on a full review; on an incremental one, those
    -- of $8 and the insolvent clients' (provision_due's only_ids). The
    -- branch not taken is a one-time filter.
    SELECT d.* FROM provision_due($1, $2, $3, $4, $5, $6, $7, NULL) d WHERE NOT (SELECT incremental FROM mode)
    UNION ALL
    SELECT d.* FROM provision_due($1, $2, $3, $4, $5, $6, $7, $8::bigint[]) d WHERE (SELECT incremental FROM mode)
), due AS MATERIALIZED (
    SELECT d.*, coalesce(b.booked, 0) AS booked, b.base AS last_base, b.deductible AS last_deductible
    FROM computed d
    LEFT JOIN LATERAL (
        SELECT sum(CASE e.kind WHEN 'provision' THEN e.amount ELSE -e.amount END) AS booked,
               (array_agg(e.base_excl_vat ORDER BY e.day DESC, e.id DESC))[1] AS base,
               (array_agg(e.tax_deductible ORDER BY e.day DESC, e.id DESC))[1] AS deductible
        FROM journal_entry e
        WHERE e.invoice_id = d.invoice_id AND e.kind IN ('provision', 'reversal') AND e.day <= $1) b ON true
    -- Left out before the journal is read: a proposal priced as it was
    -- last reviewed, whose booked provision is still that price (an
    -- invoice without a proposal has no stamp: it is priced).
    WHERE NOT (SELECT incremental FROM mode) OR d.review_key IS DISTINCT FROM d.reviewed_with
), late AS (
    -- The first day after $1 an allocation that does not count yet on $1
    -- counts from, per document (ledger_late_allocation, migration 00310).
    SELECT x.id, min(la.counts_on) AS day
    FROM ledger_late_allocation($1) la
    CROSS JOIN LATERAL (VALUES (la.invoice_id), (la.credit_note_id)) AS x(id)
    WHERE x.id IS NOT NULL AND (SELECT forward FROM mode)
    GROUP BY x.id
), waking AS (
    -- Forward: the next day each invoice computed is to be read again
    -- with no write (migration 00270): the next lower bound of the buckets
    -- reached, or an allocation starting to count, whichever comes first.
    INSERT INTO provision_review_wake AS w (invoice_id, review_on)
    SELECT c.invoice_id,
           coalesce(least($1 + (SELECT min(l) FROM unnest($4::int[]) AS l WHERE l > c.days_late) - c.days_late, l.day),
                    'infinity')
    FROM computed c
    LEFT JOIN late l ON l.id = c.invoice_id
    WHERE (SELECT forward FROM mode)
    ON CONFLICT (invoice_id) DO UPDATE SET review_on = EXCLUDED.review_on WHERE w.review_on <> EXCLUDED.review_on
), slept AS (
    -- Woken and no longer doubtful (settled with nothing booked): asleep
    -- until a write brings it back.
    UPDATE provision_review_wake w SET review_on = 'infinity'
    WHERE (SELECT forward FROM mode) AND w.review_on <> 'infinity'
      AND w.invoice_id IN (SELECT unnest($8::bigint[]) EXCEPT SELECT invoice_id FROM computed)
      AND (SELECT incremental FROM mode)
), proposed AS (
    -- A proposal made on a later day (a replay) conflicts and stays as it is.
    INSERT INTO provision (invoice_id, client_id, proposed_on, bucket, currency, outstanding_incl_vat, outstanding_excl_vat,
                           rate_bp, amount, tax_deductible, cause, profile, reviewed_with)
    SELECT invoice_id, client_id, $1, bucket, currency, outstanding_incl_vat, outstanding_excl_vat,
           rate_bp, amount, tax_deductible, cause, profile, CASE WHEN (SELECT forward FROM mode) THEN review_key END
    FROM due
    WHERE proposal_id IS NULL AND amount > 0
    ON CONFLICT (invoice_id) DO NOTHING
    RETURNING id, invoice_id, client_id, cause, bucket, rate_bp, outstanding_incl_vat, outstanding_excl_vat, amount, tax_deductible,
              currency::text
), events AS (
    INSERT INTO event (kind, client_id, invoice_id, detail, reason, day)
    SELECT 'provision_proposed', client_id, invoice_id,
           jsonb_build_object('provision_id', id, 'bucket', bucket, 'rate_bp', rate_bp,
                              'outstanding_incl_vat', outstanding_incl_vat, 'outstanding_excl_vat', outstanding_excl_vat,
                              'amount', amount, 'tax_deductible', tax_deductible),
           cause, $1
    FROM proposed
), reclassified AS (
    INSERT INTO journal_entry (entity_id, client_id, invoice_id, day, kind, cause, currency, amount)
    SELECT d.entity_id, d.client_id, d.invoice_id, $1, 'reclassification', d.cause, d.currency, d.outstanding_incl_vat
    FROM proposed p JOIN due d ON d.invoice_id = p.invoice_id
    ON CONFLICT DO NOTHING
    RETURNING 1
), adjusted AS (
    INSERT INTO journal_entry (entity_id, client_id, invoice_id, day, kind, cause, currency, amount, base_excl_vat, rate_bp, tax_deductible)
    SELECT d.entity_id, d.client_id, d.invoice_id, $1,
           CASE WHEN d.amount > d.booked THEN 'provision' ELSE 'reversal' END,
           CASE WHEN d.amount > d.booked AND d.tax_deductible THEN 'insolvency'
                WHEN d.amount > d.booked THEN 'age'
                WHEN d.outstanding_excl_vat < coalesce(d.last_base, d.outstanding_excl_vat + 1) THEN 'settled'
                ELSE 'rate' END,
           d.currency, abs(d.amount - d.booked), d.outstanding_excl_vat, d.rate_bp,
           CASE WHEN d.amount > d.booked THEN d.tax_deductible ELSE coalesce(d.last_deductible, d.tax_deductible) END
    FROM due d
    -- The proposals made above joined, not `OR d.invoice_id IN (SELECT
    -- invoice_id FROM proposed)`: under an OR that list is a subplan,
    -- hashed only while PostgreSQL thinks it fits in work_mem, and past
    -- that rescanned for every due row. One row per invoice on either side.
    LEFT JOIN proposed p ON p.invoice_id = d.invoice_id
    WHERE d.amount <> d.booked
      AND (d.proposal_id IS NOT NULL OR p.invoice_id IS NOT NULL)
    RETURNING 1
), settling AS MATERIALIZED (
    -- Settled with nothing left booked after this review: left alone from
    -- now on (provision_due), until the invoice opens again. And, on a
    -- forward review, the stamp of each proposal priced from something new.
    -- Only the proposals where either changes today, usually a handful,
    -- reach the update: on statistics that call provision empty (a
    -- preview's transaction, right after the proposals of its first day)
    -- the planner loops over the proposals and scans this set for each,
    -- which over every due row was 20,000 × 22,000 rows, 30–78 s a day at
    -- 1M invoices.
    SELECT proposal_id,
           CASE WHEN (outstanding_incl_vat = 0) <> (settled_on IS NOT NULL)
                THEN CASE WHEN outstanding_incl_vat = 0 THEN $1::date END ELSE settled_on END AS settled_on,
           CASE WHEN (SELECT forward FROM mode) THEN review_key ELSE reviewed_with END AS reviewed_with
    FROM due
    WHERE proposal_id IS NOT NULL
      AND ((outstanding_incl_vat = 0) <> (settled_on IS NOT NULL)
           OR ((SELECT forward FROM mode) AND review_key IS DISTINCT FROM reviewed_with))
), settled AS (
    UPDATE provision p SET settled_on = s.settled_on, reviewed_with = s.reviewed_with
    FROM settling s
    WHERE p.id = s.proposal_id
), reviewed AS (
    -- From a forward review on, the stamps hold with this matrix; a replay
    -- books entries dated before later ones: the next review is full.
    -- last_reminder: the newest reminder row this review saw (migration 00270).
    INSERT INTO provision_review_state AS s (last_day, matrix, valid, last_reminder)
    VALUES ($1, row($2::text[], $3::text[], $4::int[], $5::int[], $6::int, $7::int)::text, true,
            coalesce((SELECT max(id) FROM reminder), 0))
    ON CONFLICT (one) DO UPDATE
        SET last_day = greatest(s.last_day, EXCLUDED.last_day),
            matrix = CASE WHEN EXCLUDED.last_day >= s.last_day THEN EXCLUDED.matrix ELSE s.matrix END,
            valid = EXCLUDED.last_day >= s.last_day,
            last_reminder = greatest(s.last_reminder, EXCLUDED.last_reminder)
)
SELECT p.invoices, p.causes, p.rates, p.amounts, p.currencies, (SELECT count(*) FROM reclassified), (SELECT count(*) FROM adjusted),
       (SELECT count(*) FROM due)
FROM (SELECT coalesce(array_agg(invoice_id ORDER BY invoice_id), '{}') AS invoices,
             coalesce(array_agg(cause ORDER BY invoice_id), '{}') AS causes,
             coalesce(array_agg(rate_bp ORDER BY invoice_id), '{}') AS rates,
             coalesce(array_agg(amount ORDER BY invoice_id), '{}') AS amounts,
             coalesce(array_agg(currency ORDER BY invoice_id), '{}') AS currencies
      FROM proposed) p
