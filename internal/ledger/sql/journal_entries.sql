-- The journal entries of entity $1 dated $2 to $3 inclusive, in the order
-- a journal lists them: by day and invoice, an invoice's entries of one day
-- as they happen (reclassified, provisioned, reversed, written off).
SELECT e.id, e.day, e.kind, e.cause, c.code, c.name, i.number, i.issue_date, e.currency::text, e.amount, e.vat,
       coalesce(e.base_excl_vat, 0), coalesce(e.rate_bp, 0), coalesce(e.tax_deductible, false),
       coalesce(e.doubtful, false), e.actor, coalesce(e.reason, '')
FROM journal_entry e
JOIN client c ON c.id = e.client_id
JOIN invoice i ON i.id = e.invoice_id
WHERE e.entity_id = $1 AND e.day BETWEEN $2 AND $3
ORDER BY e.day, i.number,
         CASE e.kind WHEN 'reclassification' THEN 1 WHEN 'provision' THEN 2 WHEN 'reversal' THEN 3 ELSE 4 END, e.id
