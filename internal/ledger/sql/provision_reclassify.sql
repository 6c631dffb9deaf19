-- The 411 → 416 reclassification of every proposal made by $1 that has
-- none yet (every entity): at the outstanding incl. VAT of the day it was
-- proposed, dated that day.
INSERT INTO journal_entry (entity_id, client_id, invoice_id, day, kind, cause, currency, amount)
SELECT i.entity_id, p.client_id, p.invoice_id, p.proposed_on, 'reclassification', p.cause, p.currency, p.outstanding_incl_vat
FROM provision p
JOIN invoice i ON i.id = p.invoice_id
WHERE p.proposed_on <= $1 AND p.outstanding_incl_vat > 0
  AND NOT EXISTS (SELECT 1 FROM journal_entry e WHERE e.invoice_id = p.invoice_id AND e.kind = 'reclassification')
ON CONFLICT DO NOTHING
