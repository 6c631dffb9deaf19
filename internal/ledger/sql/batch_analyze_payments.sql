-- The statistics of the tables a payment batch writes, after one that
-- wrote a large share of them (batch_analyze.go).
ANALYZE payment, allocation, invoice
