-- +goose Up
-- Letter dispatch (issue 14): how each entity's formal notices leave, and
-- the letters themselves, from the day they are handed to their channel to
-- the provider's proof of delivery.

-- outbox: the PDF and a JSON manifest are written to a directory for a
-- person to print and post; webhook: they are POSTed to a postal or
-- electronic registered-letter (LRE) provider. The provider's URL and
-- secret are configuration (letters.webhook.*), never stored here.
ALTER TABLE entity
    ADD COLUMN letter_channel text NOT NULL DEFAULT 'outbox' CHECK (letter_channel IN ('outbox', 'webhook'));

-- One registered letter: the reminder rows it carries (one per invoice, all
-- of one level-5 step of one client and day), where its PDF and manifest
-- are, and what became of it. key is derived from those reminder rows and
-- is the Idempotency-Key sent to the provider: every attempt at the same
-- rows carries it, so a retry after a crash between the provider's answer
-- and our commit is recognised by the provider and finds no second row
-- here. The proof dates are business days as the provider or the person
-- recording them states them.
CREATE TABLE letter (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key             text NOT NULL UNIQUE,
    entity_id       bigint NOT NULL REFERENCES entity (id),
    client_id       bigint NOT NULL REFERENCES client (id),
    reminder_ids    bigint[] NOT NULL CHECK (cardinality(reminder_ids) > 0),
    step_id         text NOT NULL,
    day             date NOT NULL,                  -- the letter's date
    channel         text NOT NULL CHECK (channel IN ('outbox', 'webhook')),
    file_path       text NOT NULL,                  -- the PDF; the manifest is beside it (.json)
    manifest        jsonb NOT NULL,
    status          text NOT NULL CHECK (status IN ('ready', 'posted', 'deposited', 'delivered', 'refused', 'failed')),
    tracking_number text,
    provider_ref    text,                           -- the provider's id of the letter (webhook)
    posted_on       date,
    posted_by       text,
    deposited_on    date,
    delivered_on    date,                           -- delivered, or presented and refused
    refused_on      date,
    failed_on       date,                           -- undeliverable (unknown address…)
    outcome_reason  text,                           -- a refusal's or a failure's reason as the provider gives it
    proof_url       text,                           -- where the provider keeps its proofs
    -- The copy emailed with the PDF attached: sent, off (the plan step says
    -- email_copy: false), skipped (no usable address) or failed; its
    -- Message-ID when sent, the reason otherwise.
    copy_status     text NOT NULL CHECK (copy_status IN ('sent', 'off', 'skipped', 'failed')),
    copy_message_id text,
    copy_reason     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX letter_client_idx ON letter (client_id);
-- `relance letter list --unposted` reads the letters waiting for a person.
CREATE INDEX letter_ready_idx ON letter (entity_id, day) WHERE status = 'ready';

-- +goose Down
DROP TABLE letter;
ALTER TABLE entity DROP COLUMN letter_channel;
