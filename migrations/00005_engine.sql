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

-- +goose Down
DROP TABLE business_day;
