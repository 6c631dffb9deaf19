-- +goose Up
-- Legal collection (contentieux). When the formal notice's deadline passes
-- unpaid, a client's overdue invoices go to a case: an injonction de
-- payer, the simplified small-claims procedure (petites créances), a
-- summons (assignation) or a collection agency. A case moves through dated
-- stages, records its costs, and ends recovered or lost. While it is open
-- it pauses the amicable ladder of its invoices (the sweep, plans.Resolve
-- and the send worker's re-check read legal_case_invoice).
--
-- What a case recovers is not recorded here: it is the payments the ledger
-- already receives (imports, API), allocated to the case's invoices between
-- its opening and its close. One truth for the money, so the aged balance,
-- the sweep and the KPIs never disagree with the case.
CREATE TABLE legal_case (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id       bigint NOT NULL REFERENCES entity (id),
    client_id       bigint NOT NULL REFERENCES client (id),
    procedure       text NOT NULL
                    CHECK (procedure IN ('injonction_de_payer', 'petites_creances', 'assignation', 'agency')),
    currency        char(3) NOT NULL,      -- its invoices' (one currency per case)
    opened_on       date NOT NULL,
    -- The stages, each the day it happened; NULL until then. The
    -- opposition deadline is not stored: it is served_on + 1 month
    -- (ledger.Case.OppositionDeadline).
    filed_on        date,                  -- the request or summons lodged
    granted_on      date,                  -- the order or judgment obtained
    served_on       date,                  -- served on the debtor by a commissaire de justice
    enforceable_on  date,                  -- enforceable (formule exécutoire)
    closed_on       date,
    outcome         text CHECK (outcome IN ('recovered', 'lost')),
    reference       text,                  -- the court's docket (RG) or the agency's file number
    handler         text,                  -- the lawyer, commissaire de justice or agency in charge
    without_notice  boolean NOT NULL DEFAULT false,  -- opened without a formal notice past its deadline
    opened_by       text NOT NULL,
    closed_by       text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((closed_on IS NULL) = (outcome IS NULL)),
    -- Stages never go back in time; a stage may be skipped.
    CHECK (filed_on >= opened_on),
    CHECK (granted_on >= coalesce(filed_on, opened_on)),
    CHECK (served_on >= coalesce(granted_on, filed_on, opened_on)),
    CHECK (enforceable_on >= coalesce(served_on, granted_on, filed_on, opened_on)),
    CHECK (closed_on >= coalesce(enforceable_on, served_on, granted_on, filed_on, opened_on))
);
CREATE INDEX legal_case_entity_idx ON legal_case (entity_id, opened_on);
CREATE INDEX legal_case_client_idx ON legal_case (client_id);

-- The invoices of a case and what was claimed of each: its outstanding on
-- the opening day. held_from and held_to copy the case's opened_on and
-- closed_on so that the sweep reads one table by invoice: the ladder holds
-- from held_from, and resumes on held_to.
CREATE TABLE legal_case_invoice (
    case_id     bigint NOT NULL REFERENCES legal_case (id) ON DELETE CASCADE,
    invoice_id  bigint NOT NULL REFERENCES invoice (id) ON DELETE CASCADE,
    claimed     bigint NOT NULL CHECK (claimed > 0),
    held_from   date NOT NULL,
    held_to     date,
    PRIMARY KEY (case_id, invoice_id),
    CHECK (held_to IS NULL OR held_to >= held_from)
);
CREATE INDEX legal_case_invoice_invoice_idx ON legal_case_invoice (invoice_id, held_from);
-- At most one open case per invoice.
CREATE UNIQUE INDEX legal_case_invoice_open_idx ON legal_case_invoice (invoice_id) WHERE held_to IS NULL;

-- The invoices an open case holds on as_of: from the day it opened
-- (held_from) through the day before it closed (held_to), when the ladder
-- resumes. The sweep, the send worker's re-check and plans.Resolve's
-- callers read it here, as they read ledger_open_dispute (00020); inlined
-- like the functions of 00020 (LANGUAGE sql, STABLE, one SELECT).
-- +goose StatementBegin
CREATE FUNCTION ledger_open_case(as_of date)
RETURNS TABLE (invoice_id bigint, case_id bigint, held_from date)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT ci.invoice_id, ci.case_id, ci.held_from
    FROM legal_case_invoice ci
    WHERE ci.held_from <= as_of AND (ci.held_to IS NULL OR ci.held_to > as_of)
$$;
-- +goose StatementEnd

-- What a case costs: court and lawyer's fees, the commissaire de justice
-- (bailiff), the agency's commission. Amounts in the case's currency.
CREATE TABLE legal_case_cost (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES legal_case (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('fees', 'bailiff', 'agency_commission')),
    amount       bigint NOT NULL CHECK (amount > 0),
    incurred_on  date NOT NULL,
    note         text,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX legal_case_cost_case_idx ON legal_case_cost (case_id);
CREATE INDEX legal_case_cost_incurred_idx ON legal_case_cost (incurred_on);

-- +goose Down
DROP FUNCTION ledger_open_case(date);
DROP TABLE legal_case_cost, legal_case_invoice, legal_case;
