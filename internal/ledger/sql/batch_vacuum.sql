-- After a batch that wrote a large share of the ledger (batch_vacuum.go):
-- the visibility map and hint bits of the tables a batch writes, and their
-- statistics. Outside any transaction: VACUUM cannot run in one.
VACUUM (ANALYZE) invoice, allocation, client, payment
