-- The ids of the send jobs ($2: their kind) this transaction inserted after
-- job $1, in insertion order: River's InsertManyFastTx (COPY) returns only
-- how many. xmin names the transaction that wrote a row; the range after $1
-- keeps the read to the new rows through the primary key.
SELECT id FROM river_job
WHERE id > $1 AND kind = $2 AND xmin = pg_current_xact_id()::xid
ORDER BY id
