-- +goose Up
-- The business-day calendar the sweep joins against, per country. Rows are
-- filled on demand by the sweep from internal/calendar (set-based, one INSERT
-- … ON CONFLICT DO NOTHING per sweep), so a new country or a new year needs
-- no migration. next_bd / prev_bd are the first business day on or after /
-- on or before `day`.
CREATE TABLE business_day (
    country      text NOT NULL,
    day          date NOT NULL,
    is_business  boolean NOT NULL,
    next_bd      date NOT NULL,
    prev_bd      date NOT NULL,
    PRIMARY KEY (country, day)
);

-- The sweep writes one reminder row per decision, and a provision and an
-- event per provisioning, copying client_id from the invoice it has just
-- read in the same statement. A foreign key on those copies is a per-row
-- trigger and an index probe that guards nothing (the invoice's own key
-- ties it to its client): on a day of 132,000 decisions they took a third of
-- the sweep. The invoice keys stay: they cascade a deleted invoice's rows.
ALTER TABLE reminder DROP CONSTRAINT reminder_client_id_fkey;
ALTER TABLE provision DROP CONSTRAINT provision_client_id_fkey;
ALTER TABLE event DROP CONSTRAINT event_client_id_fkey;

-- A day's decisions are read back by a replay (due_on = D).
CREATE INDEX reminder_due_on_idx ON reminder (due_on);

-- +goose Down
DROP INDEX reminder_due_on_idx;
ALTER TABLE event ADD CONSTRAINT event_client_id_fkey FOREIGN KEY (client_id) REFERENCES client (id);
ALTER TABLE provision ADD CONSTRAINT provision_client_id_fkey FOREIGN KEY (client_id) REFERENCES client (id);
ALTER TABLE reminder ADD CONSTRAINT reminder_client_id_fkey FOREIGN KEY (client_id) REFERENCES client (id);
DROP TABLE business_day;
