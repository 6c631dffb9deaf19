-- The aged balance on $1 per client and currency (rows in currency and
-- client code order; Go groups a group's entities): one pass over the ledger
-- as of $1 (ledger_balance_entry, migration 00020), grouped in PostgreSQL,
-- so that one row per client and currency reaches Go. Parameters:
--   $1 the as-of date
--   $2 the lowest days late of each overdue bucket: bucket 0 (not due) is
--      below $2[1], bucket k from $2[k] to below $2[k+1], the last one open;
--      at most MaxBuckets buckets, b0..b9 below. Each bucket compares the
--      date an item ages from with $1 − its bounds, which the planner folds
--      into constants: two date comparisons per item and bucket, where
--      width_bucket() would be called for every item and bucket
--   $3 ids of the entity and the entities under it (a group); NULL for every entity
--   $4 client ids; NULL for every client
--   $5 explicit client profile (client.profile); NULL for any
-- Credit notes naming no invoice and unallocated payments are unapplied
-- credit (bucket NULL). The disputes are read apart (disputed.sql): they
-- are few, and the scan of every item carries no lookup.
WITH g AS (
    SELECT e.client_id, e.currency,
           COALESCE(sum(e.amount) FILTER (WHERE e.ages_from > $1::date - ($2::int[])[1]), 0)::bigint AS b0,
           COALESCE(sum(e.amount) FILTER (WHERE e.ages_from <= $1::date - ($2::int[])[1] AND (($2::int[])[2] IS NULL OR e.ages_from > $1::date - ($2::int[])[2])), 0)::bigint AS b1,
           COALESCE(sum(e.amount) FILTER (WHERE e.ages_from <= $1::date - ($2::int[])[2] AND (($2::int[])[3] IS NULL OR e.ages_from > $1::date - ($2::int[])[3])), 0)::bigint AS b2,
           COALESCE(sum(e.amount) FILTER (WHERE e.ages_from <= $1::date - ($2::int[])[3] AND (($2::int[])[4] IS NULL OR e.ages_from > $1::date - ($2::int[])[4])), 0)::bigint AS b3,
           COALESCE(sum(e.amount) FILTER (WHERE e.ages_from <= $1::date - ($2::int[])[4] AND (($2::int[])[5] IS NULL OR e.ages_from > $1::date - ($2::int[])[5])), 0)::bigint AS b4,
           COALESCE(sum(e.amount) FILTER (WHERE e.ages_from <= $1::date - ($2::int[])[5] AND (($2::int[])[6] IS NULL OR e.ages_from > $1::date - ($2::int[])[6])), 0)::bigint AS b5,
           COALESCE(sum(e.amount) FILTER (WHERE e.ages_from <= $1::date - ($2::int[])[6] AND (($2::int[])[7] IS NULL OR e.ages_from > $1::date - ($2::int[])[7])), 0)::bigint AS b6,
           COALESCE(sum(e.amount) FILTER (WHERE e.ages_from <= $1::date - ($2::int[])[7] AND (($2::int[])[8] IS NULL OR e.ages_from > $1::date - ($2::int[])[8])), 0)::bigint AS b7,
           COALESCE(sum(e.amount) FILTER (WHERE e.ages_from <= $1::date - ($2::int[])[8] AND (($2::int[])[9] IS NULL OR e.ages_from > $1::date - ($2::int[])[9])), 0)::bigint AS b8,
           COALESCE(sum(e.amount) FILTER (WHERE e.ages_from <= $1::date - ($2::int[])[9] AND (($2::int[])[10] IS NULL OR e.ages_from > $1::date - ($2::int[])[10])), 0)::bigint AS b9,
           COALESCE(sum(e.amount) FILTER (WHERE e.ages_from IS NULL), 0)::bigint AS unapplied,
           COALESCE(sum(e.amount), 0)::bigint AS total
    FROM ledger_balance_entry($1) e
    WHERE ($3::bigint[] IS NULL OR e.entity_id = ANY ($3)) AND ($4::bigint[] IS NULL OR e.client_id = ANY ($4))
    GROUP BY e.client_id, e.currency
)
SELECT g.client_id, c.entity_id, c.code, c.name, g.currency,
       ARRAY[g.b0, g.b1, g.b2, g.b3, g.b4, g.b5, g.b6, g.b7, g.b8, g.b9], g.unapplied
FROM g
JOIN client c ON c.id = g.client_id
WHERE (g.total <> 0 OR g.unapplied <> 0) AND ($5::text IS NULL OR c.profile = $5)
ORDER BY g.currency, c.code, c.id
