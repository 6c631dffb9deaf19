-- +goose Up
-- ledger_late_allocation (migration 00020's, which it replaces) also says
-- the day each allocation counts from (counts_on), so that the provision
-- review's wake day of a late settlement (provision_review.sql, `late`)
-- reads the rule from here rather than restating it. The body is 00020's
-- otherwise: one SELECT, inlined into its callers. Its column is added
-- last; no caller reads the function's columns by position. A SQL
-- function's body is not a dependency: ledger_late_settlement and
-- ledger_client_net, which call it, stay as they are.
DROP FUNCTION ledger_late_allocation(date);
-- +goose StatementBegin
CREATE FUNCTION ledger_late_allocation(as_of date)
RETURNS TABLE (invoice_id bigint, payment_id bigint, credit_note_id bigint, amount bigint, counts_on date)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT a.invoice_id, a.payment_id, a.credit_note_id, a.amount, coalesce(a.counts_from, a.applied_on)
    FROM allocation a
    WHERE coalesce(a.counts_from, a.applied_on) > as_of
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ledger_late_allocation(date);
-- +goose StatementBegin
CREATE FUNCTION ledger_late_allocation(as_of date)
RETURNS TABLE (invoice_id bigint, payment_id bigint, credit_note_id bigint, amount bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT a.invoice_id, a.payment_id, a.credit_note_id, a.amount
    FROM allocation a
    WHERE coalesce(a.counts_from, a.applied_on) > as_of
$$;
-- +goose StatementEnd
