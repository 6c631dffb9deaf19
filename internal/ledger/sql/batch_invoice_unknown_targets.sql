-- Credit notes applied to an invoice that is neither in the batch ($2: the
-- numbers of the rows its reader refused count as in it) nor in the ledger
-- ($1: the entity).
SELECT s.line, s.applies_to FROM invoice_stage s
WHERE s.applies_to IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM invoice_stage t WHERE t.number = s.applies_to)
  AND s.applies_to <> ALL ($2::text[])
  AND NOT EXISTS (SELECT 1 FROM invoice i WHERE i.entity_id = $1 AND i.number = s.applies_to)
ORDER BY s.line
LIMIT 1000
