-- The statistics of the tables an invoice batch writes, after one that
-- wrote a large share of them (batch_analyze.go). ANALYZE samples a fixed
-- number of rows: its cost does not grow with the tables.
ANALYZE invoice, allocation, client
