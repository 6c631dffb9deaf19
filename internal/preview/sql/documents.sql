-- What the preview shows of the invoices the sweep decided or held back on
-- $2, for the entity $3: the invoice on $2 (ledger_open_document, its
-- outstanding on that day) and its client. $1 holds the invoice ids.
SELECT t.id, t.number, t.due_date, t.amount_incl_vat, t.open, t.currency,
       c.code, c.name, coalesce(c.locale, e.locale), c.insolvency_opened_on
FROM unnest($1::bigint[]) AS k(id)
JOIN ledger_open_document($2) t ON t.id = k.id
JOIN client c ON c.id = t.client_id
JOIN entity e ON e.id = t.entity_id
WHERE e.code = $3
