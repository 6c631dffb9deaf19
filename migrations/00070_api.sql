-- +goose Up
-- The JSON API (issue 12): bearer tokens, the responses kept for the
-- Idempotency-Key header, and client batches (a body of clients is a batch
-- like a file of invoices).

-- An API token. Only the SHA-256 of the secret is kept: the secret is shown
-- once, at creation, and a copy of this table grants nothing. A revoked
-- token stays, so that the event trail's api:<name> still says who it was;
-- a name is unique among the tokens in force.
CREATE TABLE api_token (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    role        text NOT NULL CHECK (role IN ('reader', 'writer', 'admin')),
    secret_hash bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    created_by  text NOT NULL,
    last_used   date,
    revoked_at  timestamptz,
    revoked_by  text
);
CREATE UNIQUE INDEX api_token_name_idx ON api_token (name) WHERE revoked_at IS NULL;

-- One row per Idempotency-Key a caller (owner: api:<token name>, later
-- web:<user>) used on a write: the request's
-- fingerprint (method, path and query, body) and the response it got. The
-- row is inserted in the transaction of the write itself, so a key has one
-- effect or none; a second request with the key waits for the first, then
-- gets the same response. Rows older than a day are deleted as new ones
-- come in.
CREATE TABLE api_idempotency (
    owner        text NOT NULL,
    key          text NOT NULL,
    fingerprint  bytea NOT NULL,
    status       integer,
    etag         text,
    body         bytea,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (owner, key)
);
CREATE INDEX api_idempotency_created_idx ON api_idempotency (created_at);

ALTER TABLE import_batch DROP CONSTRAINT import_batch_kind_check;
ALTER TABLE import_batch ADD CONSTRAINT import_batch_kind_check CHECK (kind IN ('invoices', 'payments', 'clients'));

-- +goose Down
DELETE FROM import_batch WHERE kind = 'clients';
ALTER TABLE import_batch DROP CONSTRAINT import_batch_kind_check;
ALTER TABLE import_batch ADD CONSTRAINT import_batch_kind_check CHECK (kind IN ('invoices', 'payments'));
DROP TABLE api_idempotency;
DROP TABLE api_token;
