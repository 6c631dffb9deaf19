-- +goose Up
-- Two reads of every client on each sweep, however quiet the day (issue 16):
--   - the countries in play (worker/sweep_countries.sql, for the business-day
--     calendar) were a DISTINCT over the whole client table: 100,000 rows at
--     1M invoices each morning. With an index on the country, the distinct
--     countries are a skip over it: one probe per country.
--   - the provision review's insolvent clients (provision_due's second
--     source, migration 00190) were a filter over the whole client table;
--     few clients are insolvent, and a partial index holds only them.
CREATE INDEX client_country_idx ON client (country);
CREATE INDEX client_insolvency_idx ON client (insolvency_opened_on) WHERE insolvency_opened_on IS NOT NULL;

-- +goose Down
DROP INDEX client_insolvency_idx;
DROP INDEX client_country_idx;
