-- +goose Up
-- The whole receivables domain. Money is bigint minor units (cents) next to an
-- ISO 4217 currency; dates that are business dates are `date`, instants are
-- `timestamptz`.

-- An entity is a company that invoices. A group holds several entities
-- (parent_id); every client, invoice and payment belongs to exactly one.
CREATE TABLE entity (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    parent_id   bigint REFERENCES entity (id),
    country     text NOT NULL DEFAULT 'FR',
    locale      text NOT NULL DEFAULT 'fr',
    currency    char(3) NOT NULL DEFAULT 'EUR',
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO entity (code, name) VALUES ('default', 'Default entity');

CREATE TABLE import_batch (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id    bigint NOT NULL REFERENCES entity (id),
    kind         text NOT NULL CHECK (kind IN ('invoices', 'payments')),
    file_name    text NOT NULL,
    checksum     text NOT NULL,          -- sha256 of the file, hex
    format       text NOT NULL,          -- csv, xlsx, fec
    snapshot     boolean NOT NULL DEFAULT false,
    as_of        date NOT NULL,          -- the import date, used to date closures
    rows         integer NOT NULL DEFAULT 0,
    created      integer NOT NULL DEFAULT 0,
    updated      integer NOT NULL DEFAULT 0,
    closed       integer NOT NULL DEFAULT 0,
    imported_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE client (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id                bigint NOT NULL REFERENCES entity (id),
    code                     text NOT NULL,           -- the client's account in the source ERP
    name                     text NOT NULL,
    emails                   text[] NOT NULL DEFAULT '{}',
    locale                   text,                    -- NULL: the entity's
    country                  text NOT NULL DEFAULT 'FR',
    segment                  text,
    profile                  text,                    -- explicit plan profile; NULL: assign rules
    payer_score              char(1) CHECK (payer_score IN ('A', 'B', 'C', 'D', 'E')),
    payer_score_at           date,
    credit_limit             bigint CHECK (credit_limit >= 0), -- minor units of the entity currency
    siren                    text,
    address                  text,
    insolvency_opened_on     date,                    -- procédure collective: dunning freezes here
    insolvency_published_on  date,                    -- BODACC publication: claim due +2 months
    email_bouncing_since     timestamptz,             -- set on a permanent SMTP rejection
    email_bounce_reason      text,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    UNIQUE (entity_id, code)
);

-- Invoices and credit notes. amount_incl_vat is signed: credit notes are
-- negative. settled is the sum of every allocation to (or, for a credit note,
-- from) this document, so outstanding = amount_incl_vat - settled is always
-- the current open balance and the aged balance is a single scan.
CREATE TABLE invoice (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id         bigint NOT NULL REFERENCES entity (id),
    client_id         bigint NOT NULL REFERENCES client (id),
    number            text NOT NULL,
    kind              text NOT NULL DEFAULT 'invoice' CHECK (kind IN ('invoice', 'credit_note')),
    issue_date        date NOT NULL,
    due_date          date NOT NULL,
    payment_terms     text,
    currency          char(3) NOT NULL DEFAULT 'EUR',
    amount_incl_vat   bigint NOT NULL,
    amount_excl_vat   bigint,                          -- NULL when the source does not say
    settled           bigint NOT NULL DEFAULT 0,
    outstanding       bigint GENERATED ALWAYS AS (amount_incl_vat - settled) STORED,
    applies_to_id     bigint REFERENCES invoice (id),  -- a credit note's target invoice
    excluded          boolean NOT NULL DEFAULT false,  -- never dunned (manual exclusion)
    closed_on         date,                            -- settled in full (or closed by a snapshot import)
    import_batch_id   bigint REFERENCES import_batch (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (entity_id, number),
    CHECK ((kind = 'credit_note') = (amount_incl_vat < 0) OR amount_incl_vat = 0)
);
CREATE INDEX invoice_client_idx ON invoice (client_id);
CREATE INDEX invoice_open_idx ON invoice (due_date) WHERE outstanding <> 0;

CREATE TABLE payment (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id        bigint NOT NULL REFERENCES entity (id),
    client_id        bigint NOT NULL REFERENCES client (id),
    reference        text,
    received_on      date NOT NULL,
    currency         char(3) NOT NULL DEFAULT 'EUR',
    amount           bigint NOT NULL CHECK (amount > 0),
    allocated        bigint NOT NULL DEFAULT 0,
    unallocated      bigint GENERATED ALWAYS AS (amount - allocated) STORED,
    import_batch_id  bigint REFERENCES import_batch (id),
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_client_idx ON payment (client_id);

-- Every movement that settles an invoice, dated, so that an aged balance as of
-- a past date can add back what was settled after it. source says where it
-- came from: a payment, a credit note, the `paid` column of an import, or the
-- closure of an item missing from a snapshot import.
CREATE TABLE allocation (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id      bigint NOT NULL REFERENCES invoice (id) ON DELETE CASCADE,
    source          text NOT NULL CHECK (source IN ('payment', 'credit_note', 'import', 'snapshot_close', 'write_off')),
    payment_id      bigint REFERENCES payment (id) ON DELETE CASCADE,
    credit_note_id  bigint REFERENCES invoice (id) ON DELETE CASCADE,
    import_batch_id bigint REFERENCES import_batch (id),
    amount          bigint NOT NULL,
    applied_on      date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX allocation_invoice_idx ON allocation (invoice_id);
CREATE INDEX allocation_applied_on_idx ON allocation (applied_on);

CREATE TABLE dispute (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id   bigint NOT NULL REFERENCES invoice (id) ON DELETE CASCADE,
    reason       text NOT NULL,
    opened_on    date NOT NULL,
    resolved_on  date,
    resolution   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (resolved_on IS NULL OR resolved_on >= opened_on)
);
CREATE INDEX dispute_invoice_idx ON dispute (invoice_id);

-- A promise to pay pauses dunning of the invoice until `until` (inclusive).
CREATE TABLE promise (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id   bigint NOT NULL REFERENCES invoice (id) ON DELETE CASCADE,
    promised_on  date NOT NULL,
    until        date NOT NULL,
    amount       bigint,
    note         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (until >= promised_on)
);
CREATE INDEX promise_invoice_idx ON promise (invoice_id);

-- The reminder ledger: one row per (invoice, step) ever decided. The unique
-- constraint is what makes "sent at most once, ever" hold across restarts,
-- replicas, re-imports and retries, whatever River remembers.
CREATE TABLE reminder (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id   bigint NOT NULL REFERENCES invoice (id) ON DELETE CASCADE,
    client_id    bigint NOT NULL REFERENCES client (id),
    profile      text NOT NULL,
    step_id      text NOT NULL,
    level        smallint NOT NULL,                  -- 0 pre-due, 1..5 ladder, -1 action
    channel      text NOT NULL,                      -- email, registered_letter, phone, action
    template     text,
    due_on       date NOT NULL,                      -- the business day the sweep decided it for
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dropped', 'failed')),
    drop_reason  text,
    message_id   text,
    job_id       bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz,
    UNIQUE (invoice_id, step_id)
);
CREATE INDEX reminder_client_day_idx ON reminder (client_id, due_on);

CREATE TABLE provision (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id            bigint NOT NULL UNIQUE REFERENCES invoice (id) ON DELETE CASCADE,
    client_id             bigint NOT NULL REFERENCES client (id),
    proposed_on           date NOT NULL,
    bucket                text NOT NULL,
    currency              char(3) NOT NULL,
    outstanding_incl_vat  bigint NOT NULL,
    outstanding_excl_vat  bigint NOT NULL,
    rate_bp               integer NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000), -- basis points
    amount                bigint NOT NULL,
    tax_deductible        boolean NOT NULL DEFAULT false,
    status                text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'booked', 'rejected')),
    created_at            timestamptz NOT NULL DEFAULT now()
);

-- Work for a person: a phone call before level 3, a claim declaration after an
-- insolvency publication.
CREATE TABLE task (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id   bigint NOT NULL REFERENCES client (id),
    invoice_id  bigint REFERENCES invoice (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    due_on      date NOT NULL,
    done_at     timestamptz,
    note        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (client_id, invoice_id, kind)
);

-- What happened, for the dashboard and the audit trail.
CREATE TABLE event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    kind        text NOT NULL,
    client_id   bigint REFERENCES client (id),
    invoice_id  bigint REFERENCES invoice (id) ON DELETE CASCADE,
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX event_at_idx ON event (at);

-- +goose Down
DROP TABLE event, task, provision, reminder, promise, dispute, allocation, payment, invoice, client, import_batch, entity;
