-- +goose Up
-- What internal/ledger needs beyond 00007 to record the real world so that
-- any past day replays as it was decided.

-- An exclusion from dunning is dated like a pause: a sweep replayed for a day
-- before it was recorded must not see it. client.excluded stays the current
-- state for readers; the pause rows of kind 'exclusion' are its history.
ALTER TABLE pause
    ADD COLUMN kind text NOT NULL DEFAULT 'pause' CHECK (kind IN ('pause', 'exclusion'));
-- At most one exclusion in force per client.
CREATE UNIQUE INDEX pause_open_exclusion_idx ON pause (client_id) WHERE kind = 'exclusion' AND resumed_on IS NULL;

-- A promise made for one invoice is judged on that invoice's settlements; a
-- promise made for a whole client ("we will pay 5,000 by the 30th") covers
-- every invoice open that day, one row each (00007), and is judged on the
-- client's payments as a whole: its rows share client_id and created_at,
-- carry the same promised amount, and are kept or broken together.
ALTER TABLE promise
    ADD COLUMN scope text NOT NULL DEFAULT 'invoice' CHECK (scope IN ('invoice', 'client'));

-- The timeline and `dispute list` read by client and by open state.
CREATE INDEX promise_client_idx ON promise (client_id);
CREATE INDEX event_invoice_idx ON event (invoice_id) WHERE invoice_id IS NOT NULL;

-- +goose Down
DROP INDEX event_invoice_idx;
DROP INDEX promise_client_idx;
ALTER TABLE promise DROP COLUMN scope;
DROP INDEX pause_open_exclusion_idx;
ALTER TABLE pause DROP COLUMN kind;
