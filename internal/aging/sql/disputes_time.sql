-- Disputes of entities $3 (NULL: every entity): those resolved in the window
-- [$2, $1] by someone (not lapsed at the end they were given), with their
-- mean time to resolution in days (resolved_on − opened_on); and those
-- open on $1 (ledger_open_dispute, migration 00020), with their mean age
-- ($1 − opened_on).
SELECT count(*) FILTER (WHERE resolved), coalesce(avg(days) FILTER (WHERE resolved), 0)::float8,
       count(*) FILTER (WHERE open), coalesce(avg(age) FILTER (WHERE open), 0)::float8
FROM (
    SELECT d.resolved_on BETWEEN $2 AND $1 AND coalesce(d.outcome, '') <> 'lapsed' AS resolved,
           d.resolved_on - d.opened_on AS days,
           o.dispute_id IS NOT NULL AS open,
           $1::date - d.opened_on AS age
    FROM dispute d
    JOIN invoice i ON i.id = d.invoice_id
    LEFT JOIN ledger_open_dispute($1) o ON o.dispute_id = d.id
    WHERE $3::bigint[] IS NULL OR i.entity_id = ANY ($3)
) x
