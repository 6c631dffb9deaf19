-- +goose Up
-- provision_due (migration 00190's, which it replaces) with a last argument
-- `only_ids`: NULL, every doubtful invoice as before; else the provision steps
-- and proposals of those invoices only, read by key, and the insolvent
-- clients' invoices as before (migration 00270: the daily review computes
-- only the invoices that may have changed). The body is 00190's otherwise.
DROP FUNCTION provision_due(date, text[], text[], int[], int[], int, int);
-- +goose StatementBegin
CREATE FUNCTION provision_due(as_of date, m_profiles text[], m_buckets text[], m_lower int[], m_rates int[],
                              insolvency_bp int, vat_bp int, only_ids bigint[])
RETURNS TABLE (invoice_id bigint, client_id bigint, entity_id bigint, proposal_id bigint, settled_on date, cause text,
               profile text, currency text, outstanding_incl_vat bigint, outstanding_excl_vat bigint,
               vat_imported boolean, days_late int, bucket text, rate_bp int, amount bigint, tax_deductible boolean,
               review_key text, reviewed_with text)
LANGUAGE sql STABLE
AS $$
    WITH source AS (
        -- Each reason an invoice may be doubtful, one row each, gathered by
        -- invoice below: CTEs joined to each other get nested loops, since
        -- the planner cannot count their rows.
        -- With `only_ids` (migration 00270), the provision steps and proposals
        -- of those invoices, read by key; without, every one. The branch not
        -- taken is a one-time filter. The insolvent clients' invoices are
        -- read either way (few: client_insolvency_idx).
        SELECT r.invoice_id, r.profile AS step_profile, r.due_on AS step_on
        FROM reminder r
        WHERE only_ids IS NULL AND r.channel = 'action' AND r.status = 'sent' AND r.due_on <= as_of
        UNION ALL
        SELECT r.invoice_id, r.profile, r.due_on
        FROM reminder r
        WHERE r.invoice_id = ANY (only_ids) AND r.channel = 'action' AND r.status = 'sent' AND r.due_on <= as_of
        UNION ALL
        SELECT i.id, NULL, NULL
        FROM client c JOIN invoice i ON i.client_id = c.id
        WHERE c.insolvency_opened_on <= as_of AND i.issue_date < c.insolvency_opened_on AND i.kind = 'invoice'
        UNION ALL
        SELECT p.invoice_id, NULL, NULL FROM provision p
        WHERE only_ids IS NULL AND p.proposed_on <= as_of AND (p.settled_on IS NULL OR p.settled_on > as_of)
        UNION ALL
        SELECT p.invoice_id, NULL, NULL FROM provision p
        WHERE p.invoice_id = ANY (only_ids) AND p.proposed_on <= as_of AND (p.settled_on IS NULL OR p.settled_on > as_of)
    ), candidate AS (
        SELECT invoice_id, (array_agg(step_profile ORDER BY step_on) FILTER (WHERE step_on IS NOT NULL))[1] AS step_profile,
               bool_or(step_on IS NOT NULL) AS flagged
        FROM source GROUP BY invoice_id
    ), state AS (
        SELECT i.id AS invoice_id, i.client_id, i.entity_id, p.id AS proposal_id, p.settled_on, p.cause AS proposed_cause,
               p.reviewed_with,
               coalesce(x.step_profile, p.profile) AS profile, i.currency::text AS currency,
               as_of - i.due_date AS days_late, i.amount_incl_vat, i.amount_excl_vat,
               i.outstanding, late.amount AS late,
               (x.flagged OR p.cause = 'age') AS by_age,
               coalesce(c.insolvency_opened_on <= as_of AND i.issue_date < c.insolvency_opened_on, false) AS by_insolvency,
               greatest(i.outstanding + coalesce(late.amount, 0), 0) AS incl,
               -- the bucket: 0 not due, else its index in m_buckets
               width_bucket(as_of - i.due_date, m_lower) AS b,
               -- the row of the profile in m_rates; 0 for the default one
               coalesce(array_position(m_profiles, coalesce(x.step_profile, p.profile)), 1) - 1 AS row
        FROM candidate x
        JOIN invoice i ON i.id = x.invoice_id
        JOIN client c ON c.id = i.client_id
        LEFT JOIN provision p ON p.invoice_id = i.id AND p.proposed_on <= as_of
        -- what was settled on it and does not count yet on as_of (00020)
        LEFT JOIN ledger_late_settlement(as_of) late ON late.document_id = i.id
        -- Settled with nothing booked: nothing to do, however old the flag.
        WHERE i.issue_date <= as_of
          AND (i.outstanding <> 0 OR late.document_id IS NOT NULL OR (p.id IS NOT NULL AND (p.settled_on IS NULL OR p.settled_on > as_of)))
    ), priced AS (
        SELECT s.*,
               CASE WHEN s.amount_excl_vat IS NOT NULL AND s.amount_incl_vat > 0
                    THEN round(s.incl::numeric * s.amount_excl_vat / s.amount_incl_vat)::bigint
                    ELSE round(s.incl::numeric * 10000 / (10000 + vat_bp))::bigint END AS excl,
               coalesce(m_buckets[s.b], 'not_due') AS bucket,
               CASE WHEN s.by_age AND s.b > 0 THEN m_rates[s.row * cardinality(m_buckets) + s.b] ELSE 0 END AS age_bp,
               CASE WHEN s.by_insolvency THEN insolvency_bp ELSE 0 END AS insolvency_bp
        FROM state s
    )
    SELECT p.invoice_id, p.client_id, p.entity_id, p.proposal_id, p.settled_on,
           coalesce(p.proposed_cause, CASE WHEN p.by_insolvency AND p.insolvency_bp >= p.age_bp THEN 'insolvency' ELSE 'age' END),
           p.profile, p.currency, p.incl, p.excl, p.amount_excl_vat IS NOT NULL AND p.amount_incl_vat > 0,
           p.days_late, p.bucket, greatest(p.age_bp, p.insolvency_bp),
           round(p.excl::numeric * greatest(p.age_bp, p.insolvency_bp) / 10000)::bigint,
           p.by_insolvency AND p.insolvency_bp >= p.age_bp,
           -- Everything the provision and the review's writes follow, but
           -- settled_on, which only the review and a write-off (which moves
           -- the outstanding) write; by_age, which the profile carries (a
           -- proposal by age keeps it, one by insolvency has no profile
           -- until its step fires); and the cause, which a proposal keeps.
           -- The same before and after the proposal is made.
           row(p.outstanding, p.late, p.amount_incl_vat, p.amount_excl_vat, p.b, p.profile, p.by_insolvency)::text,
           p.reviewed_with
    FROM priced p
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION provision_due(date, text[], text[], int[], int[], int, int, bigint[]);
-- +goose StatementBegin
CREATE FUNCTION provision_due(as_of date, m_profiles text[], m_buckets text[], m_lower int[], m_rates int[],
                              insolvency_bp int, vat_bp int)
RETURNS TABLE (invoice_id bigint, client_id bigint, entity_id bigint, proposal_id bigint, settled_on date, cause text,
               profile text, currency text, outstanding_incl_vat bigint, outstanding_excl_vat bigint,
               vat_imported boolean, days_late int, bucket text, rate_bp int, amount bigint, tax_deductible boolean,
               review_key text, reviewed_with text)
LANGUAGE sql STABLE
AS $$
    WITH source AS (
        -- Each reason an invoice may be doubtful, one row each, gathered by
        -- invoice below: CTEs joined to each other get nested loops, since
        -- the planner cannot count their rows.
        SELECT r.invoice_id, r.profile AS step_profile, r.due_on AS step_on
        FROM reminder r
        WHERE r.channel = 'action' AND r.status = 'sent' AND r.due_on <= as_of
        UNION ALL
        SELECT i.id, NULL, NULL
        FROM client c JOIN invoice i ON i.client_id = c.id
        WHERE c.insolvency_opened_on <= as_of AND i.issue_date < c.insolvency_opened_on AND i.kind = 'invoice'
        UNION ALL
        SELECT p.invoice_id, NULL, NULL FROM provision p
        WHERE p.proposed_on <= as_of AND (p.settled_on IS NULL OR p.settled_on > as_of)
    ), candidate AS (
        SELECT invoice_id, (array_agg(step_profile ORDER BY step_on) FILTER (WHERE step_on IS NOT NULL))[1] AS step_profile,
               bool_or(step_on IS NOT NULL) AS flagged
        FROM source GROUP BY invoice_id
    ), state AS (
        SELECT i.id AS invoice_id, i.client_id, i.entity_id, p.id AS proposal_id, p.settled_on, p.cause AS proposed_cause,
               p.reviewed_with,
               coalesce(x.step_profile, p.profile) AS profile, i.currency::text AS currency,
               as_of - i.due_date AS days_late, i.amount_incl_vat, i.amount_excl_vat,
               i.outstanding, late.amount AS late,
               (x.flagged OR p.cause = 'age') AS by_age,
               coalesce(c.insolvency_opened_on <= as_of AND i.issue_date < c.insolvency_opened_on, false) AS by_insolvency,
               greatest(i.outstanding + coalesce(late.amount, 0), 0) AS incl,
               -- the bucket: 0 not due, else its index in m_buckets
               width_bucket(as_of - i.due_date, m_lower) AS b,
               -- the row of the profile in m_rates; 0 for the default one
               coalesce(array_position(m_profiles, coalesce(x.step_profile, p.profile)), 1) - 1 AS row
        FROM candidate x
        JOIN invoice i ON i.id = x.invoice_id
        JOIN client c ON c.id = i.client_id
        LEFT JOIN provision p ON p.invoice_id = i.id AND p.proposed_on <= as_of
        -- what was settled on it and does not count yet on as_of (00020)
        LEFT JOIN ledger_late_settlement(as_of) late ON late.document_id = i.id
        -- Settled with nothing booked: nothing to do, however old the flag.
        WHERE i.issue_date <= as_of
          AND (i.outstanding <> 0 OR late.document_id IS NOT NULL OR (p.id IS NOT NULL AND (p.settled_on IS NULL OR p.settled_on > as_of)))
    ), priced AS (
        SELECT s.*,
               CASE WHEN s.amount_excl_vat IS NOT NULL AND s.amount_incl_vat > 0
                    THEN round(s.incl::numeric * s.amount_excl_vat / s.amount_incl_vat)::bigint
                    ELSE round(s.incl::numeric * 10000 / (10000 + vat_bp))::bigint END AS excl,
               coalesce(m_buckets[s.b], 'not_due') AS bucket,
               CASE WHEN s.by_age AND s.b > 0 THEN m_rates[s.row * cardinality(m_buckets) + s.b] ELSE 0 END AS age_bp,
               CASE WHEN s.by_insolvency THEN insolvency_bp ELSE 0 END AS insolvency_bp
        FROM state s
    )
    SELECT p.invoice_id, p.client_id, p.entity_id, p.proposal_id, p.settled_on,
           coalesce(p.proposed_cause, CASE WHEN p.by_insolvency AND p.insolvency_bp >= p.age_bp THEN 'insolvency' ELSE 'age' END),
           p.profile, p.currency, p.incl, p.excl, p.amount_excl_vat IS NOT NULL AND p.amount_incl_vat > 0,
           p.days_late, p.bucket, greatest(p.age_bp, p.insolvency_bp),
           round(p.excl::numeric * greatest(p.age_bp, p.insolvency_bp) / 10000)::bigint,
           p.by_insolvency AND p.insolvency_bp >= p.age_bp,
           -- Everything the provision and the review's writes follow, but
           -- settled_on, which only the review and a write-off (which moves
           -- the outstanding) write; by_age, which the profile carries (a
           -- proposal by age keeps it, one by insolvency has no profile
           -- until its step fires); and the cause, which a proposal keeps.
           -- The same before and after the proposal is made.
           row(p.outstanding, p.late, p.amount_incl_vat, p.amount_excl_vat, p.b, p.profile, p.by_insolvency)::text,
           p.reviewed_with
    FROM priced p
$$;
-- +goose StatementEnd
