-- One promise row per invoice $1 of client $2, made on day $3 to pay by $4,
-- holding dunning through $5 (pay_by + grace), for amount $6 (each row of a
-- client promise carries the client's whole promised amount), scope $7,
-- note $8, by $9.
INSERT INTO promise (invoice_id, client_id, promised_on, pay_by, until, amount, scope, note, created_by)
SELECT invoice_id, $2, $3, $4, $5, $6, $7, nullif($8, ''), $9 FROM unnest($1::bigint[]) AS x(invoice_id)
RETURNING id
