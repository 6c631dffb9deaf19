-- Every invoice with a proposal by $1 (every entity): what its provision
-- must be on $1 (provision_due) against what is booked by $1, the
-- difference booked on $1 as a provision (6817/491) when it rises, a
-- reversal (491/7817) when it falls. A rise rests on the insolvency
-- proceeding (deductible) or on the matrix (not); a fall follows a smaller
-- outstanding (settled) or a lower rate, and keeps the deductibility of
-- what it takes back. $2..$7 as in provision_propose.sql.
WITH due AS (
    SELECT d.*, coalesce(b.booked, 0) AS booked, b.base AS last_base, b.deductible AS last_deductible
    FROM provision_due($1, $2, $3, $4, $5, $6, $7) d
    LEFT JOIN LATERAL (
        SELECT sum(CASE e.kind WHEN 'provision' THEN e.amount ELSE -e.amount END) AS booked,
               (array_agg(e.base_excl_vat ORDER BY e.day DESC, e.id DESC))[1] AS base,
               (array_agg(e.tax_deductible ORDER BY e.day DESC, e.id DESC))[1] AS deductible
        FROM journal_entry e
        WHERE e.invoice_id = d.invoice_id AND e.kind IN ('provision', 'reversal') AND e.day <= $1) b ON true
    WHERE d.proposal_id IS NOT NULL
)
INSERT INTO journal_entry (entity_id, client_id, invoice_id, day, kind, cause, currency, amount, base_excl_vat, rate_bp, tax_deductible)
SELECT entity_id, client_id, invoice_id, $1,
       CASE WHEN amount > booked THEN 'provision' ELSE 'reversal' END,
       CASE WHEN amount > booked AND tax_deductible THEN 'insolvency'
            WHEN amount > booked THEN 'age'
            WHEN outstanding_excl_vat < coalesce(last_base, outstanding_excl_vat + 1) THEN 'settled'
            ELSE 'rate' END,
       currency, abs(amount - booked), outstanding_excl_vat, rate_bp,
       CASE WHEN amount > booked THEN tax_deductible ELSE coalesce(last_deductible, tax_deductible) END
FROM due
WHERE amount <> booked
