-- Recovery rate per currency over the window [$2, $1], for entities $3 (NULL:
-- every entity). For every invoice issued and falling due by $1:
--   due       = its amount − the settlements counting before $2 − the credit
--               notes and write-offs counting in the window (they cancel
--               what is due without collecting it);
--   collected = the payments, imported settlements and snapshot closures
--               counting in the window.
-- A settlement is dated with the day it counts from (ledger_allocation,
-- migration 00020: applied, and both of its sides exist), as everywhere the
-- ledger is read as of a day. Invoices settled in full before the window
-- are left out.
WITH inv AS (
    SELECT t.id, t.currency, t.amount_incl_vat
    FROM invoice t
    WHERE t.kind = 'invoice' AND t.issue_date <= $1 AND t.due_date <= $1
      AND ($3::bigint[] IS NULL OR t.entity_id = ANY ($3))
), moves AS (
    SELECT a.invoice_id,
           coalesce(sum(a.amount) FILTER (WHERE a.counted_on < $2), 0) AS before,
           coalesce(sum(a.amount) FILTER (WHERE a.counted_on >= $2 AND a.source IN ('payment', 'import', 'snapshot_close')), 0) AS collected,
           coalesce(sum(a.amount) FILTER (WHERE a.counted_on >= $2 AND a.source IN ('credit_note', 'write_off')), 0) AS cancelled
    FROM ledger_allocation($1) a
    JOIN inv ON inv.id = a.invoice_id
    GROUP BY a.invoice_id
)
SELECT inv.currency::text,
       sum(inv.amount_incl_vat - coalesce(m.before, 0) - coalesce(m.cancelled, 0))::bigint,
       sum(coalesce(m.collected, 0))::bigint
FROM inv
LEFT JOIN moves m ON m.invoice_id = inv.id
WHERE inv.amount_incl_vat - coalesce(m.before, 0) > 0
GROUP BY 1
