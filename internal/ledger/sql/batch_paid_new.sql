-- `paid` is what the source says is settled in cash. An invoice this
-- transaction created was inserted with settled = paid (sparing a million
-- updates); its allocation is recorded here, as batch $2 on day $3 ($1: the
-- entity). created_at = now() (the transaction's start) tells the invoices
-- this transaction created.
INSERT INTO allocation (invoice_id, source, import_batch_id, amount, applied_on)
SELECT i.id, 'import', $2, s.paid, $3
FROM invoice_stage s JOIN invoice i ON i.entity_id = $1 AND i.number = s.number
WHERE s.paid > 0 AND s.kind = 'invoice' AND i.created_at = now()
