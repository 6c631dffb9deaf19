-- What a re-import of entity $1 compares its file with: each invoice's id,
-- the hash of the batch row that last wrote it (source_hash, migration
-- 00180), and whether it is open (a snapshot closes the open ones its file
-- does not list). Invoices closed and without a hash are left out: a row of
-- one is staged like a new one. A credit note with credit left that applies
-- to an invoice comes without its hash: it applies more when its invoice
-- comes to owe more, which changes nothing on the credit note, so it is
-- staged every time.
SELECT id,
       CASE WHEN NOT (kind = 'credit_note' AND applies_to_id IS NOT NULL AND outstanding <> 0) THEN source_hash END,
       outstanding <> 0
FROM invoice
WHERE entity_id = $1 AND (source_hash IS NOT NULL OR outstanding <> 0)
