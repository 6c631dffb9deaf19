-- The proposals of day $1, every entity: each invoice provision_due finds
-- doubtful, with a provision above 0 and no proposal yet, gets one and a
-- 'provision_proposed' event by the engine. $2..$5 the matrix (profile,
-- bucket, lowest days late, rate), $6 the insolvency rate and $7 the
-- default VAT rate, in basis points. Returns how many were proposed.
WITH proposed AS (
    INSERT INTO provision (invoice_id, client_id, proposed_on, bucket, currency, outstanding_incl_vat, outstanding_excl_vat,
                           rate_bp, amount, tax_deductible, cause, profile)
    SELECT d.invoice_id, d.client_id, $1, d.bucket, d.currency, d.outstanding_incl_vat, d.outstanding_excl_vat,
           d.rate_bp, d.amount, d.tax_deductible, d.cause, d.profile
    FROM provision_due($1, $2, $3, $4, $5, $6, $7) d
    WHERE d.proposal_id IS NULL AND d.amount > 0
    ON CONFLICT (invoice_id) DO NOTHING
    RETURNING id, invoice_id, client_id, cause, bucket, rate_bp, outstanding_incl_vat, outstanding_excl_vat, amount, tax_deductible
), events AS (
    INSERT INTO event (kind, client_id, invoice_id, detail, reason, day)
    SELECT 'provision_proposed', client_id, invoice_id,
           jsonb_build_object('provision_id', id, 'bucket', bucket, 'rate_bp', rate_bp,
                              'outstanding_incl_vat', outstanding_incl_vat, 'outstanding_excl_vat', outstanding_excl_vat,
                              'amount', amount, 'tax_deductible', tax_deductible),
           cause, $1
    FROM proposed
)
SELECT count(*) FROM proposed
