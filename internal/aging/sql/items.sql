-- The open items on $1 (the by-invoice view), from the ledger as of $1
-- (migration 00020), ordered by currency, entity, client code, due date and
-- number. Parameters as by_client.sql: $1 as-of date, $2 bucket bounds, $3
-- entity ids or NULL, $4 client ids or NULL, $5 profile or NULL, $6 leave
-- out the invoices in dispute on $1.
--
-- Each item carries what a NextStepper needs, read here rather than one
-- round trip per item: the client's profile, score, country, segment and
-- net balance on $1 (all its items in scope, every currency added, as the
-- sweep does), and the invoice's reminder steps decided before $1 and not
-- dropped at send time. A document's due_date is the one it is aged with (a
-- credit note naming an invoice carries that invoice's), else its own;
-- bucket is NULL for unapplied credit.
WITH item AS (
    SELECT t.entity_id, t.client_id, t.id AS doc_id, t.kind, t.number, t.issue_date,
           coalesce(t.ages_from, t.due_date) AS due_date, t.currency, t.amount_incl_vat AS amount, t.open,
           width_bucket($1::date - t.ages_from, $2::int[]) AS bucket, dx.invoice_id IS NOT NULL AS disputed
    FROM ledger_open_document($1) t
    LEFT JOIN (SELECT DISTINCT invoice_id FROM ledger_open_dispute($1)) dx ON dx.invoice_id = t.id
    WHERE ($3::bigint[] IS NULL OR t.entity_id = ANY ($3)) AND ($4::bigint[] IS NULL OR t.client_id = ANY ($4))
    UNION ALL
    SELECT p.entity_id, p.client_id, NULL, 'payment', coalesce(p.reference, ''), p.received_on, NULL,
           p.currency, p.amount, -p.open, NULL, false
    FROM ledger_open_payment($1) p
    WHERE ($3::bigint[] IS NULL OR p.entity_id = ANY ($3)) AND ($4::bigint[] IS NULL OR p.client_id = ANY ($4))
), scoped AS (
    SELECT i.*, sum(i.open) OVER (PARTITION BY i.client_id)::bigint AS client_net FROM item i
)
SELECT e.code, c.code, c.name, i.kind, i.number, i.issue_date, i.due_date, i.currency, i.amount, i.open, i.bucket,
       i.disputed,
       (SELECT max(p.until) FROM promise p WHERE i.doc_id IS NOT NULL AND p.invoice_id = i.doc_id
          AND p.promised_on <= $1 AND p.until >= $1),
       coalesce(c.profile, ''), coalesce(c.payer_score::text, ''), c.country, coalesce(c.segment, ''), i.client_net,
       coalesce(l.steps, '{}'), coalesce(l.days, '{}')
FROM scoped i
JOIN client c ON c.id = i.client_id
JOIN entity e ON e.id = i.entity_id
LEFT JOIN LATERAL (
    SELECT array_agg(r.step_id ORDER BY r.due_on, r.id) AS steps, array_agg(r.due_on ORDER BY r.due_on, r.id) AS days
    FROM reminder r
    WHERE i.kind = 'invoice' AND r.invoice_id = i.doc_id AND r.due_on < $1 AND r.status <> 'dropped'
) l ON true
WHERE NOT ($6 AND i.disputed) AND ($5::text IS NULL OR c.profile = $5)
ORDER BY i.currency, e.code, c.code, i.due_date NULLS LAST, i.number
