-- +goose Up
-- Collection that watches itself (issue 15): how fresh each entity's data
-- is, alerts raised once each, and credit-limit crossings.

-- The as-of of the data each batch brings (an ERP export's time, an API
-- request's): a payment file exported 40 hours ago is 40 hours old however
-- recently it was imported. NULL for batches recorded before this column.
ALTER TABLE import_batch ADD COLUMN data_as_of timestamptz;

-- The newest data of each kind each entity has, what the freshness guard
-- reads before every send. An invoice batch that settles (a snapshot, or a
-- `paid` column) also brings payment data. A batch whose data is older than
-- what the entity has does not move it back.
CREATE TABLE data_freshness (
    entity_id    bigint NOT NULL REFERENCES entity (id),
    kind         text NOT NULL CHECK (kind IN ('invoices', 'payments')),
    as_of        timestamptz NOT NULL,
    batch_id     bigint REFERENCES import_batch (id),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity_id, kind)
);
-- What the batches before this migration brought, dated by their import.
INSERT INTO data_freshness (entity_id, kind, as_of, batch_id)
SELECT DISTINCT ON (entity_id, k) entity_id, k, imported_at, id
FROM import_batch b
CROSS JOIN LATERAL (VALUES (b.kind), (CASE WHEN b.kind = 'invoices' AND b.snapshot THEN 'payments' END)) AS x(k)
WHERE k IS NOT NULL
ORDER BY entity_id, k, imported_at DESC;

-- The highest credit-limit threshold (50, 70, 90, 100 %) a client's
-- outstanding has crossed and been alerted for; it falls back with the
-- outstanding, so that a threshold alerts once per crossing upward.
ALTER TABLE client ADD COLUMN credit_alert_pct smallint NOT NULL DEFAULT 0;

-- Alerts are events of kind alert_*, each raised once: detail.key names the
-- occurrence (the event, job, dispute, day… it is about), and a second
-- raise of the same one does nothing.
CREATE UNIQUE INDEX event_alert_key_idx ON event (kind, (detail ->> 'key')) WHERE kind LIKE 'alert\_%';
CREATE INDEX event_alert_idx ON event (id) WHERE kind LIKE 'alert\_%';
-- Each sweep leaves a sweep_done event for its day: a business day without
-- one by the end of the send window is a missed sweep.
CREATE INDEX event_sweep_done_idx ON event (day) WHERE kind = 'sweep_done';
-- The daily digest of each entity leaves a digest_sent event: the next one
-- starts where it stopped.
CREATE INDEX event_digest_idx ON event ((detail ->> 'entity'), id) WHERE kind = 'digest_sent';

-- +goose Down
DROP INDEX event_digest_idx;
DROP INDEX event_sweep_done_idx;
DROP INDEX event_alert_idx;
DROP INDEX event_alert_key_idx;
ALTER TABLE client DROP COLUMN credit_alert_pct;
DROP TABLE data_freshness;
ALTER TABLE import_batch DROP COLUMN data_as_of;
