-- What batch $1 changed: invoices or payments created ($2), invoices
-- updated ($3) and closed by a snapshot ($4).
UPDATE import_batch SET created = $2, updated = $3, closed = $4 WHERE id = $1
