-- batch_invoice_unknown_targets.sql for a batch that may take the bulk
-- path, from the link Problems computed for it (batch_bulk_link.sql): the
-- credit notes whose number names no row of the batch ($2: the numbers of
-- the rows its reader refused count as in it) nor an invoice of the ledger
-- ($1: the entity).
SELECT l.line, l.applies_to FROM invoice_bulk_link l
WHERE l.target IS NULL
  AND l.applies_to <> ALL ($2::text[])
  AND NOT EXISTS (SELECT 1 FROM invoice i WHERE i.entity_id = $1 AND i.number = l.applies_to)
ORDER BY l.line
LIMIT 1000
