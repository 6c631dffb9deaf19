-- +goose Up
-- The aged balance reads open items only. Open credit notes that name an
-- invoice are aged with that invoice's due date; reading them through this
-- small partial index keeps the main scan of invoice free of a per-row
-- lookup. Payments with an unallocated part are few among all payments.
CREATE INDEX invoice_open_applied_credit_idx ON invoice (applies_to_id)
    WHERE kind = 'credit_note' AND applies_to_id IS NOT NULL AND outstanding <> 0;
CREATE INDEX payment_unallocated_idx ON payment (client_id) WHERE unallocated <> 0;
-- DMP, cohorts and the payer score read a payment's allocations by payment.
CREATE INDEX allocation_payment_idx ON allocation (payment_id) WHERE payment_id IS NOT NULL;

-- +goose Down
DROP INDEX allocation_payment_idx;
DROP INDEX payment_unallocated_idx;
DROP INDEX invoice_open_applied_credit_idx;
