-- +goose Up
-- Provisioning as an accountant books it (DESIGN.md §2, Provisioning and
-- Insolvency): a provision proposal per doubtful invoice, the journal
-- entries that follow it month after month (411 → 416 reclassification,
-- 6817/491 provision, 491/7817 reversal, 654 write-off), the insolvency
-- trigger, and tasks that are closed by someone.

-- Why an invoice became doubtful: its plan's provision step (age) or its
-- client's insolvency proceeding, whatever its age. profile is the plan
-- profile the step fired under: it picks the row of the provision matrix.
-- settled_on is the day the invoice was settled with nothing left booked on
-- it (paid, written off): from then on the daily review leaves it alone,
-- unless it opens again.
ALTER TABLE provision
    ADD COLUMN cause      text NOT NULL DEFAULT 'age' CHECK (cause IN ('age', 'insolvency')),
    ADD COLUMN profile    text,
    ADD COLUMN settled_on date;
CREATE INDEX provision_unsettled_idx ON provision (invoice_id) WHERE settled_on IS NULL;
UPDATE provision p SET profile = r.profile
FROM reminder r WHERE r.invoice_id = p.invoice_id AND r.channel = 'action';
-- A proposal of 0 (a bucket without a rate) provisions nothing: the review
-- proposes again the first day the matrix gives the invoice a rate.
DELETE FROM provision WHERE amount = 0;

-- The provision steps that fired, read by provision_due below.
CREATE INDEX reminder_action_idx ON reminder (invoice_id) WHERE channel = 'action';

-- The journal: one row per entry (écriture), in the entity's books, dated
-- the day it takes effect. The lines (accounts, debit, credit) are derived
-- at export from the configured chart of accounts, so a renamed account
-- applies to every export. A recorded entry never changes: a month already
-- exported reads the same again.
--   reclassification  416 / 411 at amount (incl. VAT)
--   provision         6817 / 491 at amount = base (excl. VAT) × rate
--   reversal          491 / 7817 at amount
--   write_off         654 (amount − vat) + 44571 (vat) / 416 or 411 (amount)
-- The provision booked for an invoice on D is the sum of its provision
-- entries less its reversals dated D or before.
CREATE TABLE journal_entry (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id       bigint NOT NULL REFERENCES entity (id),
    client_id       bigint NOT NULL REFERENCES client (id),
    invoice_id      bigint NOT NULL REFERENCES invoice (id) ON DELETE CASCADE,
    day             date NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('reclassification', 'provision', 'reversal', 'write_off')),
    -- age, insolvency (what the rate rests on); settled, rate (why a
    -- provision fell); write_off
    cause           text NOT NULL,
    currency        char(3) NOT NULL,
    amount          bigint NOT NULL CHECK (amount > 0),
    vat             bigint NOT NULL DEFAULT 0 CHECK (vat >= 0),  -- write_off: the VAT recovered
    base_excl_vat   bigint,                  -- provision, reversal: the outstanding excl. VAT after the entry
    rate_bp         integer,                 -- provision, reversal: the rate after the entry
    tax_deductible  boolean,                 -- provision, reversal: false for a flat-rate matrix provision
    doubtful        boolean,                 -- write_off: the receivable was in 416 (reclassified)
    actor           text NOT NULL DEFAULT 'relance',
    reason          text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_entry_day_idx ON journal_entry (entity_id, day);
CREATE INDEX journal_entry_invoice_idx ON journal_entry (invoice_id);
-- One reclassification and one write-off per invoice, ever.
CREATE UNIQUE INDEX journal_entry_once_idx ON journal_entry (invoice_id, kind) WHERE kind IN ('reclassification', 'write_off');
-- The proposals made before there was a journal, booked as they were
-- made: reclassified and provisioned on the day proposed. What changed
-- since (a payment) is booked by the next sweep.
INSERT INTO journal_entry (entity_id, client_id, invoice_id, day, kind, cause, currency, amount)
SELECT i.entity_id, p.client_id, p.invoice_id, p.proposed_on, 'reclassification', p.cause, p.currency, p.outstanding_incl_vat
FROM provision p JOIN invoice i ON i.id = p.invoice_id
WHERE p.outstanding_incl_vat > 0;
INSERT INTO journal_entry (entity_id, client_id, invoice_id, day, kind, cause, currency, amount, base_excl_vat, rate_bp, tax_deductible)
SELECT i.entity_id, p.client_id, p.invoice_id, p.proposed_on, 'provision', p.cause, p.currency, p.amount,
       p.outstanding_excl_vat, p.rate_bp, p.tax_deductible
FROM provision p JOIN invoice i ON i.id = p.invoice_id;

-- Tasks are closed by someone, on a day.
ALTER TABLE task
    ADD COLUMN done_by text,
    ADD COLUMN done_on date;
-- A task about the whole client (a claim declaration) exists once per kind:
-- the UNIQUE of 00001 does not hold when invoice_id is NULL.
CREATE UNIQUE INDEX task_client_kind_idx ON task (client_id, kind) WHERE invoice_id IS NULL;
CREATE INDEX task_open_idx ON task (due_on) WHERE done_at IS NULL;

-- The invoices that are doubtful on as_of, with the provision they call for
-- that day. An invoice is doubtful from the day its plan's provision step
-- fired (a reminder row of channel 'action'), or from the opening of its
-- client's insolvency proceeding when it was issued before it (a debt born
-- on the judgment's day or later is payable as usual), or once a proposal
-- exists; an invoice settled with nothing left booked on it is left out.
-- The matrix comes as arrays: the profiles ('' first, the default row), the
-- buckets' names and lowest days late, and the rates, profile by profile,
-- bucket by bucket; then the insolvency rate and the VAT rate assumed when
-- the import gave no amount excl. VAT (both in basis points).
--
-- outstanding is the invoice's as of as_of, read as every statement reads
-- the ledger on a day (migration 00020: what does not count yet on as_of,
-- ledger_late_settlement, is added back); its part excl. VAT follows the
-- invoice's own ratio when imported, else the default rate. The rate is the larger of the matrix's for the
-- invoice's bucket (when the step fired) and the insolvency rate (when the
-- proceeding is open): only the latter rests on a proven, individual risk,
-- so only it is tax-deductible. amount is 0 once the invoice is settled.
-- +goose StatementBegin
CREATE FUNCTION provision_due(as_of date, m_profiles text[], m_buckets text[], m_lower int[], m_rates int[],
                              insolvency_bp int, vat_bp int)
RETURNS TABLE (invoice_id bigint, client_id bigint, entity_id bigint, proposal_id bigint, settled_on date, cause text,
               profile text, currency text, outstanding_incl_vat bigint, outstanding_excl_vat bigint,
               vat_imported boolean, days_late int, bucket text, rate_bp int, amount bigint, tax_deductible boolean)
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
               coalesce(x.step_profile, p.profile) AS profile, i.currency::text AS currency,
               as_of - i.due_date AS days_late, i.amount_incl_vat, i.amount_excl_vat,
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
           p.by_insolvency AND p.insolvency_bp >= p.age_bp
    FROM priced p
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION provision_due(date, text[], text[], int[], int[], int, int);
DROP INDEX task_open_idx;
DROP INDEX task_client_kind_idx;
ALTER TABLE task DROP COLUMN done_on, DROP COLUMN done_by;
DROP TABLE journal_entry;
DROP INDEX reminder_action_idx;
DROP INDEX provision_unsettled_idx;
ALTER TABLE provision DROP COLUMN settled_on, DROP COLUMN profile, DROP COLUMN cause;
