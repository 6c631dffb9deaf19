-- +goose Up
-- The daily provision review prices only the invoices whose pricing inputs
-- changed since they were last reviewed (issue 16), instead of every
-- doubtful invoice every day (on the day after a big sweep at 300,000
-- invoices, 33,000 proposals, each with its journal read by key: 0.8 s).
--
-- provision.reviewed_with holds what the proposal was last priced from, as
-- text (provision_due's review_key): the invoice's outstanding and what is
-- settled on it that does not count yet on the day, its amounts incl. and
-- excl. VAT, its bucket in the matrix, the profile of the plan's provision
-- step that fired (none: not fired), and whether the client's insolvency
-- makes it doubtful. The day-dependent parts (the bucket, the late
-- settlements, the insolvency opened by the day) are computed again on each
-- day, so a bucket crossed or a payment dated later that now counts is a
-- change like a write.
--
-- After a review on day R, what is booked for each proposal it priced
-- equals its provision on R. A proposal whose review_key on D ≥ R is the
-- one stored has the same provision on D, and nothing booked for it since:
-- only the review books provisions and reversals (it restamps what it
-- books), and a write-off, which also settles the invoice (its outstanding
-- moves). So the review of D leaves it out, and books what a full review
-- would (TestIncrementalProvisionReviewBooksAsTheFullReview).
--
-- provision_review_state says when that holds: valid, for the days on or
-- after last_day (the latest day reviewed), with the matrix (and the
-- insolvency and VAT rates) it was priced with. A review of an earlier day
-- (a replay, which books entries dated before later ones), a changed
-- matrix, or a journal entry changed or deleted (a recorded entry never
-- changes; the trigger below makes sure a cleanup does not leave stale
-- stamps) makes the next review a full one, which stamps every proposal
-- again.
ALTER TABLE provision ADD COLUMN reviewed_with text;

CREATE TABLE provision_review_state (
    one      boolean PRIMARY KEY DEFAULT true CHECK (one),
    last_day date NOT NULL,
    matrix   text NOT NULL,
    valid    boolean NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION provision_review_invalidate() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE provision_review_state SET valid = false WHERE valid;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER journal_entry_review_invalidate AFTER UPDATE OR DELETE OR TRUNCATE ON journal_entry
    FOR EACH STATEMENT EXECUTE FUNCTION provision_review_invalidate();

-- provision_due (migration 00050) with two more columns: review_key, what
-- the invoice is priced from on as_of (see above), and reviewed_with, the
-- proposal's stamp. The body is 00050's otherwise.
DROP FUNCTION provision_due(date, text[], text[], int[], int[], int, int);
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

-- +goose Down
DROP FUNCTION provision_due(date, text[], text[], int[], int[], int, int);
-- +goose StatementBegin
CREATE FUNCTION provision_due(as_of date, m_profiles text[], m_buckets text[], m_lower int[], m_rates int[],
                              insolvency_bp int, vat_bp int)
RETURNS TABLE (invoice_id bigint, client_id bigint, entity_id bigint, proposal_id bigint, settled_on date, cause text,
               profile text, currency text, outstanding_incl_vat bigint, outstanding_excl_vat bigint,
               vat_imported boolean, days_late int, bucket text, rate_bp int, amount bigint, tax_deductible boolean)
LANGUAGE sql STABLE
AS $$
    WITH source AS (
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
               coalesce(x.step_profile, p.profile) AS profile, i.currency::text AS currency,
               as_of - i.due_date AS days_late, i.amount_incl_vat, i.amount_excl_vat,
               (x.flagged OR p.cause = 'age') AS by_age,
               coalesce(c.insolvency_opened_on <= as_of AND i.issue_date < c.insolvency_opened_on, false) AS by_insolvency,
               greatest(i.outstanding + coalesce(late.amount, 0), 0) AS incl,
               width_bucket(as_of - i.due_date, m_lower) AS b,
               coalesce(array_position(m_profiles, coalesce(x.step_profile, p.profile)), 1) - 1 AS row
        FROM candidate x
        JOIN invoice i ON i.id = x.invoice_id
        JOIN client c ON c.id = i.client_id
        LEFT JOIN provision p ON p.invoice_id = i.id AND p.proposed_on <= as_of
        LEFT JOIN ledger_late_settlement(as_of) late ON late.document_id = i.id
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
           p.by_insolvency AND p.insolvency_bp >= p.age_bp
    FROM priced p
$$;
-- +goose StatementEnd
DROP TRIGGER journal_entry_review_invalidate ON journal_entry;
DROP FUNCTION provision_review_invalidate();
DROP TABLE provision_review_state;
ALTER TABLE provision DROP COLUMN reviewed_with;
