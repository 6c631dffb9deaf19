-- The record of one batch: where it came from (a file's name and sha256,
-- or the API's), what it is, the day it takes effect and the as-of of its
-- data (NULL: the moment it is applied). $1 entity, $2 kind (invoices,
-- payments, clients), $3 name, $4 checksum, $5 format, $6 snapshot, $7 day,
-- $8 rows, $9 data as-of.
INSERT INTO import_batch (entity_id, kind, file_name, checksum, format, snapshot, as_of, rows, data_as_of)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, now()))
RETURNING id
