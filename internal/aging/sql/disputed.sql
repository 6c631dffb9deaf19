-- The open amount on $1 of the invoices in dispute on $1, per client,
-- currency and bucket, in the scope of by_client.sql (same parameters $1 to
-- $4): the disputed column, and what --exclude-disputed takes out of the
-- buckets. Driven by the disputes, few as they are: OFFSET 0 keeps the
-- lateral subquery a loop of index lookups into the ledger, which the
-- planner would otherwise flatten into a scan of every invoice.
SELECT t.client_id, t.currency, width_bucket($1::date - t.ages_from, $2::int[]), sum(t.open)::bigint
FROM (SELECT DISTINCT invoice_id FROM ledger_open_dispute($1)) x
CROSS JOIN LATERAL (SELECT * FROM ledger_open_document($1) d WHERE d.id = x.invoice_id OFFSET 0) t
WHERE ($3::bigint[] IS NULL OR t.entity_id = ANY ($3)) AND ($4::bigint[] IS NULL OR t.client_id = ANY ($4))
GROUP BY 1, 2, 3
