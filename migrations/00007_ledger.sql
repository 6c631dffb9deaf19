-- +goose Up
-- What people record about the real world (DESIGN.md §2, §4 "What people
-- record"): who the creditor is, who the debtor is and how to reach them,
-- disputes with a reason code and an optional end, promises to pay that are
-- kept or broken, pauses with a reason, insolvency proceedings, and an event
-- trail that says who did what, when and why. Every state that a sweep reads
-- is dated, so that a sweep replayed for a past day decides as it did then.

-- The creditor's identity, printed on every email and registered letter.
ALTER TABLE entity
    ADD COLUMN address_line1  text,
    ADD COLUMN address_line2  text,
    ADD COLUMN postcode       text,
    ADD COLUMN city           text,
    ADD COLUMN siren          text,
    ADD COLUMN vat_number     text,
    ADD COLUMN iban           text,
    ADD COLUMN bic            text,
    ADD COLUMN email          text,
    ADD COLUMN phone          text,
    ADD COLUMN updated_at     timestamptz NOT NULL DEFAULT now();

-- The debtor: a postal address for registered letters, contacts, legal ids.
-- emails are the To: addresses, cc_emails the Cc: ones. The old one-line
-- `address` becomes the first address line.
ALTER TABLE client
    ADD COLUMN address_line1    text,
    ADD COLUMN address_line2    text,
    ADD COLUMN postcode         text,
    ADD COLUMN city             text,
    ADD COLUMN contact_name     text,
    ADD COLUMN phone            text,
    ADD COLUMN cc_emails        text[] NOT NULL DEFAULT '{}',
    ADD COLUMN siret            text,
    ADD COLUMN vat_number       text,
    ADD COLUMN insolvency_kind  text CHECK (insolvency_kind IN ('sauvegarde', 'redressement', 'liquidation')),
    -- Excluded from dunning altogether (a key account handled by hand, a
    -- group company): no message, no action, until someone lifts it.
    ADD COLUMN excluded         boolean NOT NULL DEFAULT false,
    ADD COLUMN excluded_reason  text;
UPDATE client SET address_line1 = address WHERE address IS NOT NULL;
ALTER TABLE client DROP COLUMN address;

-- A dispute pauses its invoice from opened_on until it is resolved, or until
-- `until` when one was given (it then resumes by itself). reason is a code
-- from the configured list (price, quantity, quality, delivery, billing,
-- other); note is free text; outcome says how it ended.
ALTER TABLE dispute
    ADD COLUMN note         text,
    ADD COLUMN until        date,
    ADD COLUMN opened_by    text NOT NULL DEFAULT 'relance',
    ADD COLUMN resolved_by  text,
    ADD CONSTRAINT dispute_until_check CHECK (until IS NULL OR until >= opened_on);
ALTER TABLE dispute RENAME COLUMN resolution TO outcome;
-- At most one open dispute per invoice.
CREATE UNIQUE INDEX dispute_open_idx ON dispute (invoice_id) WHERE resolved_on IS NULL;

-- A promise to pay names the day the client said it would pay (pay_by) and
-- pauses dunning until `until` = pay_by + the configured grace. When `until`
-- passes with the invoice (or the promised amount) unpaid, the promise is
-- broken: dunning resumes where it stopped and the payer score counts it.
-- A promise made for a whole client is one row per open invoice, sharing
-- client_id and the same created_at.
ALTER TABLE promise
    ADD COLUMN client_id   bigint REFERENCES client (id),
    ADD COLUMN pay_by      date,
    ADD COLUMN status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'broken', 'cancelled')),
    ADD COLUMN settled_on  date,               -- the day it was found kept or broken
    ADD COLUMN created_by  text NOT NULL DEFAULT 'relance';
UPDATE promise p SET client_id = i.client_id, pay_by = p.until FROM invoice i WHERE i.id = p.invoice_id;
ALTER TABLE promise ALTER COLUMN client_id SET NOT NULL, ALTER COLUMN pay_by SET NOT NULL;
CREATE INDEX promise_open_idx ON promise (until) WHERE status = 'open';

-- A pause stops every message and action for a client from from_on, until
-- `until` (inclusive) when one was given, or until someone resumes it
-- (resumed_on, exclusive).
CREATE TABLE pause (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id   bigint NOT NULL REFERENCES client (id) ON DELETE CASCADE,
    from_on     date NOT NULL,
    until       date,
    resumed_on  date,
    reason      text NOT NULL,
    created_by  text NOT NULL,
    resumed_by  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (until IS NULL OR until >= from_on),
    CHECK (resumed_on IS NULL OR resumed_on >= from_on)
);
CREATE INDEX pause_client_idx ON pause (client_id);

-- Who did it and why: 'cli:<os user>', 'api:<token name>', 'web:<user>', or
-- 'relance' for the engine itself.
ALTER TABLE event
    ADD COLUMN actor   text NOT NULL DEFAULT 'relance',
    ADD COLUMN reason  text,
    ADD COLUMN day     date;           -- the business day it takes effect (--as-of), when it has one
CREATE INDEX event_client_idx ON event (client_id, at) WHERE client_id IS NOT NULL;

-- +goose Down
DROP INDEX event_client_idx;
ALTER TABLE event DROP COLUMN day, DROP COLUMN reason, DROP COLUMN actor;
DROP TABLE pause;
DROP INDEX promise_open_idx;
ALTER TABLE promise DROP COLUMN created_by, DROP COLUMN settled_on, DROP COLUMN status, DROP COLUMN pay_by, DROP COLUMN client_id;
DROP INDEX dispute_open_idx;
ALTER TABLE dispute RENAME COLUMN outcome TO resolution;
ALTER TABLE dispute DROP CONSTRAINT dispute_until_check, DROP COLUMN resolved_by, DROP COLUMN opened_by, DROP COLUMN until, DROP COLUMN note;
ALTER TABLE client ADD COLUMN address text;
UPDATE client SET address = address_line1;
ALTER TABLE client DROP COLUMN excluded_reason, DROP COLUMN excluded, DROP COLUMN insolvency_kind, DROP COLUMN vat_number,
    DROP COLUMN siret, DROP COLUMN cc_emails, DROP COLUMN phone, DROP COLUMN contact_name, DROP COLUMN city,
    DROP COLUMN postcode, DROP COLUMN address_line2, DROP COLUMN address_line1;
ALTER TABLE entity DROP COLUMN updated_at, DROP COLUMN phone, DROP COLUMN email, DROP COLUMN bic, DROP COLUMN iban,
    DROP COLUMN vat_number, DROP COLUMN siren, DROP COLUMN city, DROP COLUMN postcode, DROP COLUMN address_line2,
    DROP COLUMN address_line1;
