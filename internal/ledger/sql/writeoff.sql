-- Writes invoice $1 (entity $9, client $10, currency $11) off on day $2:
-- its unpaid $3 incl. VAT is settled by a 'write_off' allocation and the
-- invoice closed; the journal gets the write-off (loss $3 − $4, VAT
-- recovered $4, against 416 when $5 else 411) and the reversal of the
-- provision booked, $6 (deductible $12), both by $7 for reason $8; its
-- proposal, if any, is settled.
WITH settled AS (
    INSERT INTO allocation (invoice_id, source, amount, applied_on) VALUES ($1, 'write_off', $3::bigint, $2)
), closed AS (
    UPDATE invoice SET settled = settled + $3, closed_on = $2, updated_at = now() WHERE id = $1
), unprovisioned AS (
    UPDATE provision SET settled_on = $2 WHERE invoice_id = $1
), reversed AS (
    INSERT INTO journal_entry (entity_id, client_id, invoice_id, day, kind, cause, currency, amount, base_excl_vat, rate_bp,
                               tax_deductible, actor, reason)
    SELECT $9, $10, $1, $2, 'reversal', 'write_off', $11, $6::bigint, 0, 0, $12, $7, $8
    WHERE $6::bigint > 0
)
INSERT INTO journal_entry (entity_id, client_id, invoice_id, day, kind, cause, currency, amount, vat, doubtful, actor, reason)
VALUES ($9, $10, $1, $2, 'write_off', 'write_off', $11, $3, $4, $5, $7, $8)
