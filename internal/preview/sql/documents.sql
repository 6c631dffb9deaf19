-- What the preview shows of the invoices the sweep decided, provisioned or held
-- back on $2, for the entity $3: the invoice on $2 (ledger_open_document, its
-- outstanding on that day) and its client with its postal address (a letter
-- to a debtor without one fails). $1 holds the invoice ids; OFFSET
-- 0 keeps the lateral subquery a loop of index lookups into the ledger.
SELECT t.id, t.number, t.due_date, t.amount_incl_vat, t.open, t.currency,
       c.code, c.name, coalesce(c.locale, e.locale), c.insolvency_opened_on,
       coalesce(c.address_line1, ''), coalesce(c.address_line2, ''), coalesce(c.postcode, ''), coalesce(c.city, '')
FROM unnest($1::bigint[]) AS k(id)
CROSS JOIN LATERAL (SELECT * FROM ledger_open_document($2) d WHERE d.id = k.id OFFSET 0) t
JOIN client c ON c.id = t.client_id
JOIN entity e ON e.id = t.entity_id
WHERE e.code = $3
