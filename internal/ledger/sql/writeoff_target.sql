-- Invoice $2 of entity $1, locked, with what writing it off on day $3 needs:
-- its amounts, its outstanding now and as of $3 (the ledger as of a day of
-- migration 00020: the settlements that do not count yet on $3 added back,
-- read through the invoice's index), whether it was
-- reclassified to 416 by $3, the provision booked by $3 and the
-- deductibility of its last entry, the day of its latest journal entry and
-- of its write-off, if any.
SELECT i.id, i.client_id, c.code, i.kind, i.issue_date, i.currency::text, i.amount_incl_vat, i.amount_excl_vat,
       i.outstanding,
       i.outstanding + coalesce((SELECT sum(la.amount) FROM ledger_late_allocation($3) la WHERE la.invoice_id = i.id), 0),
       EXISTS (SELECT 1 FROM journal_entry e WHERE e.invoice_id = i.id AND e.kind = 'reclassification' AND e.day <= $3),
       coalesce((SELECT sum(CASE e.kind WHEN 'provision' THEN e.amount ELSE -e.amount END) FROM journal_entry e
                  WHERE e.invoice_id = i.id AND e.kind IN ('provision', 'reversal') AND e.day <= $3), 0),
       coalesce((SELECT e.tax_deductible FROM journal_entry e
                  WHERE e.invoice_id = i.id AND e.kind IN ('provision', 'reversal') ORDER BY e.day DESC, e.id DESC LIMIT 1), false),
       (SELECT max(e.day) FROM journal_entry e WHERE e.invoice_id = i.id),
       (SELECT e.day FROM journal_entry e WHERE e.invoice_id = i.id AND e.kind = 'write_off')
FROM invoice i
JOIN client c ON c.id = i.client_id
WHERE i.entity_id = $1 AND i.number = $2
FOR UPDATE OF i
