-- Opens a case for client $2 of entity $1: procedure $3, currency $4, on day
-- $5, reference $6 and handler $7 ('' for none), without a formal notice
-- past its deadline when $8, by actor $9; it holds invoices $10, claiming
-- $11 of each (their outstanding on $5). Returns the case's id.
WITH opened AS (
    INSERT INTO legal_case (entity_id, client_id, procedure, currency, opened_on, reference, handler, without_notice, opened_by)
    VALUES ($1, $2, $3, $4, $5, nullif($6, ''), nullif($7, ''), $8, $9)
    RETURNING id
), held AS (
    INSERT INTO legal_case_invoice (case_id, invoice_id, claimed, held_from)
    SELECT o.id, x.invoice_id, x.claimed, $5
    FROM opened o, unnest($10::bigint[], $11::bigint[]) AS x(invoice_id, claimed)
)
SELECT id FROM opened
