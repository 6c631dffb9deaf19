-- The aged balance on $1 per entity, client and currency: one pass over the
-- ledger as of $1 (ledger_open_document and ledger_open_payment, migration
-- 00020), grouped in PostgreSQL, so that one row per client and currency
-- reaches Go. Parameters:
--   $1 the as-of date
--   $2 the lowest days late of each overdue bucket (width_bucket's bounds:
--      index 0 is not due); at most MaxBuckets buckets, b0..b9 below
--   $3 entity id; NULL for every entity
--   $4 client ids; NULL for every client
--   $5 explicit client profile (client.profile); NULL for any
--   $6 leave out the invoices in dispute on $1 (their bucket is -1)
-- Credit notes naming no invoice and unallocated payments are unapplied
-- credit (bucket NULL). `disputed` is the open amount of the client's
-- invoices in dispute on $1, counted in the buckets unless $6 leaves it out.
WITH item AS (
    SELECT t.entity_id, t.client_id, t.currency,
           CASE WHEN $6 AND dx.invoice_id IS NOT NULL THEN -1 ELSE width_bucket($1::date - t.ages_from, $2::int[]) END AS bucket,
           t.open, dx.invoice_id IS NOT NULL AS disputed
    FROM ledger_open_document($1) t
    LEFT JOIN (SELECT DISTINCT invoice_id FROM ledger_open_dispute($1)) dx ON dx.invoice_id = t.id
    WHERE ($3::bigint IS NULL OR t.entity_id = $3) AND ($4::bigint[] IS NULL OR t.client_id = ANY ($4))
    UNION ALL
    SELECT p.entity_id, p.client_id, p.currency, NULL, -p.open, false
    FROM ledger_open_payment($1) p
    WHERE ($3::bigint IS NULL OR p.entity_id = $3) AND ($4::bigint[] IS NULL OR p.client_id = ANY ($4))
), g AS (
    SELECT entity_id, client_id, currency,
           COALESCE(sum(open) FILTER (WHERE bucket = 0), 0)::bigint AS b0,
           COALESCE(sum(open) FILTER (WHERE bucket = 1), 0)::bigint AS b1,
           COALESCE(sum(open) FILTER (WHERE bucket = 2), 0)::bigint AS b2,
           COALESCE(sum(open) FILTER (WHERE bucket = 3), 0)::bigint AS b3,
           COALESCE(sum(open) FILTER (WHERE bucket = 4), 0)::bigint AS b4,
           COALESCE(sum(open) FILTER (WHERE bucket = 5), 0)::bigint AS b5,
           COALESCE(sum(open) FILTER (WHERE bucket = 6), 0)::bigint AS b6,
           COALESCE(sum(open) FILTER (WHERE bucket = 7), 0)::bigint AS b7,
           COALESCE(sum(open) FILTER (WHERE bucket = 8), 0)::bigint AS b8,
           COALESCE(sum(open) FILTER (WHERE bucket = 9), 0)::bigint AS b9,
           COALESCE(sum(open) FILTER (WHERE bucket IS NULL), 0)::bigint AS unapplied,
           COALESCE(sum(open) FILTER (WHERE disputed), 0)::bigint AS disputed,
           COALESCE(sum(open) FILTER (WHERE bucket IS DISTINCT FROM -1), 0)::bigint AS total
    FROM item
    GROUP BY entity_id, client_id, currency
)
SELECT e.code, e.name, c.code, c.name, g.currency,
       ARRAY[g.b0, g.b1, g.b2, g.b3, g.b4, g.b5, g.b6, g.b7, g.b8, g.b9], g.unapplied, g.disputed
FROM g
JOIN client c ON c.id = g.client_id
JOIN entity e ON e.id = g.entity_id
WHERE (g.total <> 0 OR g.unapplied <> 0) AND ($5::text IS NULL OR c.profile = $5)
ORDER BY g.currency, e.code, c.code, c.id
